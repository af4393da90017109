package io.troupe.llm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped {@code .safetensors} file. Reads convert F32, F16 or BF16 elements to float and can
 * take a range of rows or of columns, so a rank loads only its shard.
 *
 * <p>Thread-safe after construction: every read maps its own region. Close it to release the channel.
 */
public final class SafetensorsFile implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L << 20;

  private final Path path;
  private final FileChannel channel;
  private final long dataOffset;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, FileChannel channel, long dataOffset, Map<String, TensorInfo> tensors,
                          Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataOffset = dataOffset;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and parses the header; the data stays on disk until read. */
  public static SafetensorsFile open(Path path) {
    FileChannel ch = null;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      long headerLen = len.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > ch.size()) {
        throw new IllegalArgumentException(path + " is not a safetensors file (header length " + headerLen + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root = JSON.readTree(header.array());
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>();
      long dataSize = ch.size() - 8 - headerLen;
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        JsonNode t = e.getValue();
        JsonNode s = t.get("shape");
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = s.get(i).asLong();
        }
        JsonNode off = t.get("data_offsets");
        TensorInfo info = new TensorInfo(e.getKey(), DType.parse(t.get("dtype").asText()), shape,
            off.get(0).asLong(), off.get(1).asLong());
        if (info.dataEnd() > dataSize) {
          throw new IllegalArgumentException(path + ": tensor " + info + " extends past the end of the file");
        }
        tensors.put(e.getKey(), info);
      }
      return new SafetensorsFile(path, ch, 8 + headerLen, Map.copyOf(tensors), Map.copyOf(meta));
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot open safetensors file " + path, e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("tensor " + name + " not in " + path);
    }
    return t;
  }

  /** All elements as float, row-major. */
  public float[] read(String name) {
    TensorInfo t = info(name);
    return readRows(name, 0, (int) t.rows());
  }

  /** Rows {@code [start, start+count)} of the outermost dimension, row-major. */
  public float[] readRows(String name, int start, int count) {
    TensorInfo t = info(name);
    if (start < 0 || count < 0 || start + (long) count > t.rows()) {
      throw new IndexOutOfBoundsException("rows [" + start + "," + (start + count) + ") of " + t);
    }
    long rowLen = t.rowLength();
    long n = rowLen * count;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("read of " + n + " elements of " + t + " is too large for one array");
    }
    float[] out = new float[(int) n];
    long byteStart = t.dataStart() + (long) start * rowLen * t.dtype().bytes();
    decode(t.dtype(), map(byteStart, n * t.dtype().bytes()), out, 0, (int) n);
    return out;
  }

  /** Columns {@code [start, start+count)} of a 2-D tensor: {@code rows x count}, row-major. */
  public float[] readColumns(String name, int start, int count) {
    TensorInfo t = info(name);
    long[] shape = t.shape();
    if (shape.length != 2 || start < 0 || start + (long) count > shape[1]) {
      throw new IndexOutOfBoundsException("columns [" + start + "," + (start + count) + ") of " + t);
    }
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    int b = t.dtype().bytes();
    float[] out = new float[rows * count];
    ByteBuffer all = map(t.dataStart(), (long) rows * cols * b);
    for (int r = 0; r < rows; r++) {
      ByteBuffer row = all.slice((int) (((long) r * cols + start) * b), count * b).order(ByteOrder.LITTLE_ENDIAN);
      decode(t.dtype(), row, out, r * count, count);
    }
    return out;
  }

  private ByteBuffer map(long relStart, long length) {
    try {
      MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + relStart, length);
      return m.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map " + path, e);
    }
  }

  static void decode(DType dtype, ByteBuffer src, float[] out, int off, int n) {
    src.order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> src.asFloatBuffer().get(out, off, n);
      case F16 -> {
        short[] tmp = new short[Math.min(n, 1 << 16)];
        var sb = src.asShortBuffer();
        for (int done = 0; done < n; ) {
          int k = Math.min(tmp.length, n - done);
          sb.get(tmp, 0, k);
          for (int i = 0; i < k; i++) {
            out[off + done + i] = Float.float16ToFloat(tmp[i]);
          }
          done += k;
        }
      }
      case BF16 -> {
        short[] tmp = new short[Math.min(n, 1 << 16)];
        var sb = src.asShortBuffer();
        for (int done = 0; done < n; ) {
          int k = Math.min(tmp.length, n - done);
          sb.get(tmp, 0, k);
          for (int i = 0; i < k; i++) {
            out[off + done + i] = DType.fromBf16(tmp[i]);
          }
          done += k;
        }
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already failing; the original error is more useful
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }
}
