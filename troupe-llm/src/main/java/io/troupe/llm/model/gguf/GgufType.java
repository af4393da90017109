package io.troupe.llm.model.gguf;

/**
 * The GGUF (ggml) tensor element types this reader decodes, with their block geometry: {@code blockSize} elements
 * are stored in {@code blockBytes} bytes. Quantized types are dequantized row by row as they are read.
 */
public enum GgufType {
  F32(0, 1, 4),
  F16(1, 1, 2),
  Q8_0(8, 32, 34),
  Q4_K(12, 256, 144),
  Q6_K(14, 256, 210),
  BF16(30, 1, 2);

  private final int id;
  private final int blockSize;
  private final int blockBytes;

  GgufType(int id, int blockSize, int blockBytes) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  public int id() {
    return id;
  }

  public int blockSize() {
    return blockSize;
  }

  public int blockBytes() {
    return blockBytes;
  }

  /** Bytes of {@code n} elements ({@code n} a multiple of the block size). */
  public long bytes(long n) {
    return n / blockSize * blockBytes;
  }

  /** Whether the values are quantized in blocks (not plain floats). */
  public boolean quantized() {
    return blockSize > 1;
  }

  /**
   * The type of a ggml type id.
   *
   * @throws IllegalArgumentException for types the reader cannot decode, naming the supported ones
   */
  public static GgufType of(int id, String tensor) {
    for (GgufType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    throw new IllegalArgumentException("GGUF tensor " + tensor + " has ggml type " + id + ", which the built-in "
        + "engine cannot read (supported: F32, F16, BF16, Q8_0, Q4_K, Q6_K; e.g. Q4_K_M, Q8_0 and F16 files)");
  }
}
