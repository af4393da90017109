package io.troupe.llm.model;

/**
 * Paged key/value memory of one rank: for each of its layers, {@code blocks x blockSize} slots of
 * {@code kvDim} keys and as many values. Which block belongs to which sequence is decided by the
 * engine's block manager and arrives with each step as block tables.
 *
 * <p>Threading: written and read only by the rank's step thread (and the pool threads it waits for).
 */
public final class KvCache {
  private final int blocks;
  private final int blockSize;
  private final int kvDim;
  private final float[][] keys;
  private final float[][] values;

  public KvCache(int layers, int blocks, int blockSize, int kvDim) {
    long perLayer = (long) blocks * blockSize * kvDim;
    if (perLayer > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("KV cache of " + blocks + " blocks is too large for one array per layer");
    }
    this.blocks = blocks;
    this.blockSize = blockSize;
    this.kvDim = kvDim;
    this.keys = new float[layers][(int) perLayer];
    this.values = new float[layers][(int) perLayer];
  }

  /** Bytes per block on a rank with {@code layers} layers of {@code kvDim} keys and values. */
  public static long bytesPerBlock(int layers, int blockSize, int kvDim) {
    return 2L * 4 * layers * blockSize * kvDim;
  }

  public int blocks() {
    return blocks;
  }

  public int blockSize() {
    return blockSize;
  }

  public float[] keys(int layer) {
    return keys[layer];
  }

  public float[] values(int layer) {
    return values[layer];
  }

  /** Offset of position {@code pos} in a layer's arrays, given the sequence's block table. */
  public int offset(int[] blockTable, int pos) {
    int block = blockTable[pos / blockSize];
    if (block < 0 || block >= blocks) {
      throw new IllegalArgumentException("block id " + block + " out of range (cache has " + blocks + ")");
    }
    return (block * blockSize + pos % blockSize) * kvDim;
  }
}
