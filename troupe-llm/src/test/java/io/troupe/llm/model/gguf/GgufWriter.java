package io.troupe.llm.model.gguf;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Test-side GGUF writer (version 3): metadata (Long → uint64... see {@link #value}), tensors quantized to F32, F16,
 * Q8_0, Q4_K or Q6_K with simple absmax/min-max quantizers in ggml's block layouts. Written from the spec
 * independently of the reader's decoding code.
 */
public final class GgufWriter {
  /** A tensor to write: Hugging Face shape {@code [rows, cols]} (or {@code [n]}), row-major values. */
  public record Entry(String name, long[] shape, float[] values, GgufType type) {}

  private GgufWriter() {}

  public static void write(Path file, Map<String, Object> metadata, List<Entry> tensors) throws IOException {
    byte[][] data = new byte[tensors.size()][];
    for (int i = 0; i < tensors.size(); i++) {
      data[i] = encode(tensors.get(i));
    }
    try (OutputStream raw = Files.newOutputStream(file);
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
      out.write(new byte[] {'G', 'G', 'U', 'F'});
      i32(out, 3);
      i64(out, tensors.size());
      i64(out, metadata.size());
      for (var e : metadata.entrySet()) {
        str(out, e.getKey());
        value(out, e.getValue(), true);
      }
      long offset = 0;
      for (int i = 0; i < tensors.size(); i++) {
        Entry t = tensors.get(i);
        str(out, t.name());
        i32(out, t.shape().length);
        for (int d = t.shape().length - 1; d >= 0; d--) {
          i64(out, t.shape()[d]); // ggml order: the contiguous dimension first
        }
        i32(out, t.type().id());
        i64(out, offset);
        offset += align(data[i].length);
      }
      int pos = out.size();
      out.write(new byte[(int) (align(pos) - pos)]);
      for (byte[] d : data) {
        out.write(d);
        out.write(new byte[(int) (align(d.length) - d.length)]);
      }
    }
  }

  private static long align(long n) {
    return (n + 31) / 32 * 32;
  }

  /** Long → INT64 (11)... typed by Java class: Long int64, Integer uint32, Double float32, Boolean, String, List. */
  private static void value(DataOutputStream out, Object v, boolean withType) throws IOException {
    switch (v) {
      case Integer i -> {
        if (withType) {
          i32(out, 4);
        }
        i32(out, i);
      }
      case Long l -> {
        if (withType) {
          i32(out, 11);
        }
        i64(out, l);
      }
      case Double d -> {
        if (withType) {
          i32(out, 6);
        }
        i32(out, Float.floatToIntBits(d.floatValue()));
      }
      case Boolean b -> {
        if (withType) {
          i32(out, 7);
        }
        out.writeByte(b ? 1 : 0);
      }
      case String s -> {
        if (withType) {
          i32(out, 8);
        }
        str(out, s);
      }
      case List<?> list -> {
        i32(out, 9);
        Object first = list.isEmpty() ? "" : list.get(0);
        i32(out, switch (first) {
          case Integer i -> 5;
          case Long l -> 11;
          case Double d -> 6;
          case Boolean b -> 7;
          default -> 8;
        });
        i64(out, list.size());
        for (Object o : list) {
          value(out, o, false);
        }
      }
      default -> throw new IllegalArgumentException("cannot write " + v);
    }
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    i64(out, b.length);
    out.write(b);
  }

  private static void i32(DataOutputStream out, int v) throws IOException {
    out.writeInt(Integer.reverseBytes(v));
  }

  private static void i64(DataOutputStream out, long v) throws IOException {
    out.writeLong(Long.reverseBytes(v));
  }

  /** The tensor's bytes in its type's block layout. */
  static byte[] encode(Entry t) {
    float[] x = t.values();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) t.type().bytes(x.length))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    switch (t.type()) {
      case F32 -> {
        for (float v : x) {
          b.putFloat(v);
        }
      }
      case F16 -> {
        for (float v : x) {
          b.putShort(Float.floatToFloat16(v));
        }
      }
      case BF16 -> {
        for (float v : x) {
          b.putShort(io.troupe.llm.kernels.Half16Matrix.toBf16(v));
        }
      }
      case Q8_0 -> {
        for (int blk = 0; blk < x.length / 32; blk++) {
          float amax = 0;
          for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[blk * 32 + i]));
          }
          float d = amax / 127f;
          short dh = Float.floatToFloat16(d);
          float dd = Float.float16ToFloat(dh);
          b.putShort(dh);
          for (int i = 0; i < 32; i++) {
            b.put((byte) (dd == 0 ? 0 : Math.round(x[blk * 32 + i] / dd)));
          }
        }
      }
      case Q4_K -> {
        for (int blk = 0; blk < x.length / 256; blk++) {
          q4k(x, blk * 256, b);
        }
      }
      case Q6_K -> {
        for (int blk = 0; blk < x.length / 256; blk++) {
          q6k(x, blk * 256, b);
        }
      }
    }
    return b.array();
  }

  /** Q4_K: 8 sub-blocks of 32 with 6-bit scale and min against the block's f16 d and dmin. */
  private static void q4k(float[] x, int o, java.nio.ByteBuffer b) {
    float[] scale = new float[8];
    float[] min = new float[8];
    for (int j = 0; j < 8; j++) {
      float lo = 0;
      float hi = 0;
      for (int i = 0; i < 32; i++) {
        lo = Math.min(lo, x[o + 32 * j + i]);
        hi = Math.max(hi, x[o + 32 * j + i]);
      }
      scale[j] = (hi - lo) / 15f;
      min[j] = -lo;
    }
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < 8; j++) {
      maxScale = Math.max(maxScale, scale[j]);
      maxMin = Math.max(maxMin, min[j]);
    }
    short dh = Float.floatToFloat16(maxScale / 63f);
    short mh = Float.floatToFloat16(maxMin / 63f);
    float d = Float.float16ToFloat(dh);
    float dmin = Float.float16ToFloat(mh);
    int[] sc = new int[8];
    int[] m = new int[8];
    for (int j = 0; j < 8; j++) {
      sc[j] = d == 0 ? 0 : Math.min(63, (int) Math.ceil(scale[j] / d)); // round up: values stay in 0..15
      m[j] = dmin == 0 ? 0 : Math.min(63, Math.round(min[j] / dmin));
    }
    b.putShort(dh).putShort(mh);
    byte[] s = new byte[12];
    for (int j = 0; j < 4; j++) {
      s[j] = (byte) ((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
      s[j + 4] = (byte) ((m[j] & 63) | ((m[j + 4] >> 4) << 6));
      s[j + 8] = (byte) ((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
    }
    b.put(s);
    int[] q = new int[256];
    for (int j = 0; j < 8; j++) {
      float dj = d * sc[j];
      float mj = dmin * m[j];
      for (int i = 0; i < 32; i++) {
        q[32 * j + i] = dj == 0 ? 0 : Math.max(0, Math.min(15, Math.round((x[o + 32 * j + i] + mj) / dj)));
      }
    }
    for (int j = 0; j < 256; j += 64) {
      for (int l = 0; l < 32; l++) {
        b.put((byte) (q[j + l] | (q[j + 32 + l] << 4)));
      }
    }
  }

  /** Q6_K: 16 sub-blocks of 16 with int8 scales against the block's f16 d, values q - 32 in 6 bits. */
  private static void q6k(float[] x, int o, java.nio.ByteBuffer b) {
    float[] s = new float[16];
    float maxS = 0;
    for (int j = 0; j < 16; j++) {
      float amax = 0;
      for (int i = 0; i < 16; i++) {
        amax = Math.max(amax, Math.abs(x[o + 16 * j + i]));
      }
      s[j] = amax / 31f;
      maxS = Math.max(maxS, s[j]);
    }
    short dh = Float.floatToFloat16(maxS / 127f);
    float d = Float.float16ToFloat(dh);
    byte[] sc = new byte[16];
    for (int j = 0; j < 16; j++) {
      sc[j] = (byte) (d == 0 ? 0 : Math.min(127, Math.round(s[j] / d)));
    }
    int[] q = new int[256];
    for (int e = 0; e < 256; e++) {
      int n = e / 128;
      int r = e % 128;
      int group = r / 32;
      int l = r % 32;
      int is = n * 8 + l / 16 + 2 * group;
      float step = d * sc[is];
      q[e] = (step == 0 ? 0 : Math.max(-32, Math.min(31, Math.round(x[o + e] / step)))) + 32;
    }
    byte[] ql = new byte[128];
    byte[] qh = new byte[64];
    for (int n = 0; n < 2; n++) {
      for (int l = 0; l < 32; l++) {
        int q1 = q[n * 128 + l];
        int q2 = q[n * 128 + l + 32];
        int q3 = q[n * 128 + l + 64];
        int q4 = q[n * 128 + l + 96];
        ql[n * 64 + l] = (byte) ((q1 & 0xF) | ((q3 & 0xF) << 4));
        ql[n * 64 + l + 32] = (byte) ((q2 & 0xF) | ((q4 & 0xF) << 4));
        qh[n * 32 + l] = (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
      }
    }
    b.put(ql).put(qh).put(sc).putShort(dh);
  }
}
