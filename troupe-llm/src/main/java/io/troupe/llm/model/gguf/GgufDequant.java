package io.troupe.llm.model.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes GGUF rows to float32, following ggml's block layouts: Q8_0 (32 values: f16 scale, 32 int8), Q4_K (256
 * values: f16 d and dmin, 12 bytes of 6-bit sub-block scales and mins, 128 bytes of nibbles; value = d * sc *
 * q - dmin * m), Q6_K (256 values: 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 sub-block scales,
 * f16 d; value = d * sc * (q - 32)). Stateless.
 */
final class GgufDequant {
  private GgufDequant() {}

  /** Decodes {@code n} elements (whole blocks) from {@code src} at its position into {@code out[off...]}. */
  static void decode(GgufType type, ByteBuffer src, float[] out, int off, int n) {
    ByteBuffer b = src.order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    switch (type) {
      case F32 -> {
        for (int i = 0; i < n; i++) {
          out[off + i] = b.getFloat(p + 4 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[off + i] = Float.float16ToFloat(b.getShort(p + 2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[off + i] = Float.intBitsToFloat((b.getShort(p + 2 * i) & 0xffff) << 16);
        }
      }
      case Q8_0 -> {
        for (int blk = 0; blk < n / 32; blk++) {
          int base = p + blk * 34;
          float d = Float.float16ToFloat(b.getShort(base));
          for (int i = 0; i < 32; i++) {
            out[off + blk * 32 + i] = d * b.get(base + 2 + i);
          }
        }
      }
      case Q4_K -> {
        for (int blk = 0; blk < n / 256; blk++) {
          q4k(b, p + blk * 144, out, off + blk * 256);
        }
      }
      case Q6_K -> {
        for (int blk = 0; blk < n / 256; blk++) {
          q6k(b, p + blk * 210, out, off + blk * 256);
        }
      }
    }
  }

  private static void q4k(ByteBuffer b, int base, float[] y, int yo) {
    float d = Float.float16ToFloat(b.getShort(base));
    float dmin = Float.float16ToFloat(b.getShort(base + 2));
    int scales = base + 4;
    int qs = base + 16;
    int is = 0;
    for (int j = 0; j < 256; j += 64) {
      float d1 = d * scale(b, scales, is);
      float m1 = dmin * min(b, scales, is);
      float d2 = d * scale(b, scales, is + 1);
      float m2 = dmin * min(b, scales, is + 1);
      for (int l = 0; l < 32; l++) {
        int q = b.get(qs + l) & 0xff;
        y[yo + j + l] = d1 * (q & 0xF) - m1;
        y[yo + j + 32 + l] = d2 * (q >>> 4) - m2;
      }
      qs += 32;
      is += 2;
    }
  }

  /** The 6-bit scale of sub-block {@code j} (ggml's get_scale_min_k4). */
  static int scale(ByteBuffer b, int q, int j) {
    return j < 4 ? u(b, q + j) & 63 : (u(b, q + j + 4) & 0xF) | ((u(b, q + j - 4) >>> 6) << 4);
  }

  /** The 6-bit min of sub-block {@code j}. */
  static int min(ByteBuffer b, int q, int j) {
    return j < 4 ? u(b, q + j + 4) & 63 : (u(b, q + j + 4) >>> 4) | ((u(b, q + j) >>> 6) << 4);
  }

  private static void q6k(ByteBuffer b, int base, float[] y, int yo) {
    int ql = base;
    int qh = base + 128;
    int sc = base + 192;
    float d = Float.float16ToFloat(b.getShort(base + 208));
    for (int n = 0; n < 256; n += 128) {
      for (int l = 0; l < 32; l++) {
        int is = l / 16;
        int h = u(b, qh + l);
        int q1 = ((u(b, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
        int q2 = ((u(b, ql + l + 32) & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
        int q3 = ((u(b, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
        int q4 = ((u(b, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
        y[yo + n + l] = d * b.get(sc + is) * q1;
        y[yo + n + l + 32] = d * b.get(sc + is + 2) * q2;
        y[yo + n + l + 64] = d * b.get(sc + is + 4) * q3;
        y[yo + n + l + 96] = d * b.get(sc + is + 6) * q4;
      }
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }

  private static int u(ByteBuffer b, int i) {
    return b.get(i) & 0xff;
  }
}
