package io.troupe.llm.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code .safetensors} files, streaming each tensor's elements from a {@link TensorData} so a
 * model larger than the heap can be written. Stateless; safe to call from any thread.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 16;

  private SafetensorsWriter() {}

  /** Source of a tensor's elements in row-major order. */
  @FunctionalInterface
  public interface TensorData {
    /** Fills {@code buf[0..len)} with elements {@code [start, start+len)}. */
    void fill(long start, float[] buf, int len);

    static TensorData of(float[] values) {
      return (start, buf, len) -> System.arraycopy(values, (int) start, buf, 0, len);
    }
  }

  /** A tensor to write. */
  public record PendingTensor(String name, DType dtype, long[] shape, TensorData data) {
    public PendingTensor {
      shape = shape.clone();
    }

    public long elementCount() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    public long byteSize() {
      return elementCount() * dtype.bytes();
    }
  }

  /** Writes the tensors, in the given order, with optional string metadata. */
  public static void write(Path file, List<PendingTensor> tensors, Map<String, String> metadata) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (PendingTensor t : tensors) {
      ObjectNode n = header.putObject(t.name());
      n.put("dtype", t.dtype().name());
      var shape = n.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      n.putArray("data_offsets").add(offset).add(offset + t.byteSize());
      offset += t.byteSize();
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // data section 8-byte aligned, padding with spaces per spec
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
      writeFully(ch, len);
      writeFully(ch, ByteBuffer.wrap(headerBytes));
      ByteBuffer out = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
      float[] buf = new float[CHUNK];
      for (PendingTensor t : tensors) {
        long n = t.elementCount();
        for (long done = 0; done < n; ) {
          int k = (int) Math.min(CHUNK, n - done);
          t.data().fill(done, buf, k);
          out.clear();
          encode(t.dtype(), buf, k, out);
          out.flip();
          writeFully(ch, out);
          done += k;
        }
      }
    }
  }

  private static void encode(DType dtype, float[] buf, int k, ByteBuffer out) {
    switch (dtype) {
      case F32 -> {
        for (int i = 0; i < k; i++) {
          out.putFloat(buf[i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < k; i++) {
          out.putShort(Float.floatToFloat16(buf[i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < k; i++) {
          out.putShort(DType.toBf16(buf[i]));
        }
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
