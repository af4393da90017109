package io.troupe.llm.model.gguf;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's format, versions 2 and 3): its metadata (key → Long, Double, Boolean, String or List)
 * and its tensors, read row by row and dequantized to float32 ({@link GgufType}). Tensors keep ggml's names
 * ({@code blk.0.attn_q.weight}); {@link GgufModel} maps them to Hugging Face names.
 *
 * <p>Thread-safe after {@link #open} (each read maps its own region). Limits: at most 2^31 elements per read,
 * header strings and arrays bounded so a corrupt file fails with a message instead of exhausting memory.
 */
public final class GgufFile implements AutoCloseable {
  private static final int MAGIC = 0x46554747; // "GGUF" little-endian
  private static final long MAX_STRING = 64L << 20;
  private static final long MAX_ARRAY = 16L << 20;

  /** One tensor: {@code dims} in ggml order (dims[0] is the contiguous one), data at {@code offset} from the data start. */
  public record Tensor(String name, long[] dims, GgufType type, long offset) {
    /** Rows in the Hugging Face sense (the product of all dims but the first). */
    public long rows() {
      long r = 1;
      for (int i = 1; i < dims.length; i++) {
        r *= dims[i];
      }
      return r;
    }

    /** Elements per row (ggml's ne[0]). */
    public long cols() {
      return dims[0];
    }

    /** The Hugging Face shape: dims reversed. */
    public long[] shape() {
      long[] s = new long[dims.length];
      for (int i = 0; i < dims.length; i++) {
        s[i] = dims[dims.length - 1 - i];
      }
      return s;
    }
  }

  private final Path path;
  private final FileChannel channel;
  private final Map<String, Object> metadata;
  private final Map<String, Tensor> tensors;
  private final long dataStart;

  private GgufFile(Path path, FileChannel channel, Map<String, Object> metadata, Map<String, Tensor> tensors,
                   long dataStart) {
    this.path = path;
    this.channel = channel;
    this.metadata = metadata;
    this.tensors = tensors;
    this.dataStart = dataStart;
  }

  /** Reads the header, metadata and tensor table. */
  public static GgufFile open(Path path) {
    FileChannel ch = null;
    try (InputStream raw = Files.newInputStream(path)) {
      Reader in = new Reader(new DataInputStream(new BufferedInputStream(raw, 1 << 20)));
      if (in.i32() != MAGIC) {
        throw new IllegalArgumentException(path + " is not a GGUF file (bad magic)");
      }
      int version = in.i32();
      if (version < 2 || version > 3) {
        throw new IllegalArgumentException(path + " is GGUF version " + version + " (supported: 2, 3)");
      }
      long tensorCount = in.u64Count("tensor count");
      long kvCount = in.u64Count("metadata count");
      Map<String, Object> meta = new LinkedHashMap<>();
      for (long i = 0; i < kvCount; i++) {
        String key = in.string();
        meta.put(key, in.value(in.i32()));
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (long i = 0; i < tensorCount; i++) {
        String name = in.string();
        int nDims = in.i32();
        if (nDims < 1 || nDims > 4) {
          throw new IllegalArgumentException("GGUF tensor " + name + " has " + nDims + " dimensions");
        }
        long[] dims = new long[nDims];
        for (int d = 0; d < nDims; d++) {
          dims[d] = in.u64Count("dimension of " + name);
        }
        GgufType type = GgufType.of(in.i32(), name);
        long offset = in.i64();
        if (dims[0] % type.blockSize() != 0) {
          throw new IllegalArgumentException("GGUF tensor " + name + ": row of " + dims[0] + " is not whole "
              + type + " blocks");
        }
        tensors.put(name, new Tensor(name, dims, type, offset));
      }
      long alignment = meta.get("general.alignment") instanceof Long a ? a : 32;
      long dataStart = (in.position + alignment - 1) / alignment * alignment;
      ch = FileChannel.open(path, StandardOpenOption.READ);
      long size = ch.size();
      for (Tensor t : tensors.values()) {
        long end = dataStart + t.offset() + t.type().bytes(t.cols()) * t.rows();
        if (t.offset() < 0 || end > size) {
          throw new IllegalArgumentException("GGUF tensor " + t.name() + " lies outside " + path + " (truncated?)");
        }
      }
      return new GgufFile(path, ch, Collections.unmodifiableMap(meta), Collections.unmodifiableMap(tensors),
          dataStart);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot read GGUF file " + path, e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  public Map<String, Object> metadata() {
    return metadata;
  }

  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("GGUF file " + path + " has no tensor " + name);
    }
    return t;
  }

  /** Rows {@code [start, start+count)} as float32, row-major. */
  public float[] readRows(String name, long start, int count) {
    Tensor t = tensor(name);
    if (start < 0 || count < 0 || start + count > t.rows()) {
      throw new IndexOutOfBoundsException("rows [" + start + "," + (start + count) + ") of " + name);
    }
    long cols = t.cols();
    long n = cols * count;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("read of " + n + " elements of " + name + " is too large for one array");
    }
    float[] out = new float[(int) n];
    long rowBytes = t.type().bytes(cols);
    if (count > 0) {
      GgufDequant.decode(t.type(), map(t.offset() + start * rowBytes, rowBytes * count), out, 0, (int) n);
    }
    return out;
  }

  private ByteBuffer map(long relStart, long length) {
    try {
      return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + relStart, length).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map " + path, e);
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing after a failure; the first error is the useful one
      }
    }
  }

  /** Little-endian reads over the buffered header, counting the position. */
  private static final class Reader {
    private final DataInputStream in;
    long position;

    Reader(DataInputStream in) {
      this.in = in;
    }

    int i32() throws IOException {
      position += 4;
      return Integer.reverseBytes(in.readInt());
    }

    long i64() throws IOException {
      position += 8;
      return Long.reverseBytes(in.readLong());
    }

    long u64Count(String what) throws IOException {
      long v = i64();
      if (v < 0 || v > MAX_ARRAY * 64) {
        throw new IllegalArgumentException("GGUF " + what + " " + Long.toUnsignedString(v) + " is out of range");
      }
      return v;
    }

    String string() throws IOException {
      long len = i64();
      if (len < 0 || len > MAX_STRING) {
        throw new IllegalArgumentException("GGUF string of " + Long.toUnsignedString(len) + " bytes is out of range");
      }
      byte[] b = new byte[(int) len];
      try {
        in.readFully(b);
      } catch (EOFException e) {
        throw new IllegalArgumentException("GGUF header ends inside a string (truncated file?)", e);
      }
      position += len;
      return new String(b, StandardCharsets.UTF_8);
    }

    Object value(int type) throws IOException {
      return switch (type) {
        case 0 -> { position += 1; yield (long) in.readUnsignedByte(); }
        case 1 -> { position += 1; yield (long) in.readByte(); }
        case 2 -> { position += 2; yield (long) (Short.reverseBytes(in.readShort()) & 0xffff); }
        case 3 -> { position += 2; yield (long) Short.reverseBytes(in.readShort()); }
        case 4 -> (long) i32() & 0xffffffffL;
        case 5 -> (long) i32();
        case 6 -> (double) Float.intBitsToFloat(i32());
        case 7 -> { position += 1; yield in.readByte() != 0; }
        case 8 -> string();
        case 9 -> {
          int itemType = i32();
          long count = i64();
          if (count < 0 || count > MAX_ARRAY) {
            throw new IllegalArgumentException("GGUF array of " + Long.toUnsignedString(count) + " items is out of "
                + "range");
          }
          List<Object> items = new ArrayList<>((int) count);
          for (long i = 0; i < count; i++) {
            items.add(value(itemType));
          }
          yield Collections.unmodifiableList(items);
        }
        case 10, 11 -> i64();
        case 12 -> Double.longBitsToDouble(i64());
        default -> throw new IllegalArgumentException("GGUF metadata value type " + type + " is unknown");
      };
    }
  }
}
