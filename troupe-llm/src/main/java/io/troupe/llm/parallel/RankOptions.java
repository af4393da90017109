package io.troupe.llm.parallel;

import io.troupe.llm.model.KvCache;
import io.troupe.llm.model.ModelConfig;

/**
 * How a rank is built.
 *
 * @param kvCacheBytes KV memory budget of each rank; the block count is derived from it (same on all ranks)
 * @param blockSize    positions per KV block (default 16)
 * @param threads      CPUs the rank's kernels use (default 1)
 * @param int8         quantize weight matrices to int8 (per-row scales) at load (default false)
 */
public record RankOptions(long kvCacheBytes, int blockSize, int threads, boolean int8) {
  public RankOptions {
    if (kvCacheBytes <= 0 || blockSize <= 0 || threads <= 0) {
      throw new IllegalArgumentException("kvCacheBytes, blockSize and threads must be positive");
    }
  }

  /** 64 MiB of KV per rank, blocks of 16, one thread, float weights. */
  public static RankOptions defaults() {
    return new RankOptions(64L << 20, 16, 1, false);
  }

  public RankOptions withKvCacheBytes(long b) {
    return new RankOptions(b, blockSize, threads, int8);
  }

  public RankOptions withBlockSize(int b) {
    return new RankOptions(kvCacheBytes, b, threads, int8);
  }

  public RankOptions withThreads(int t) {
    return new RankOptions(kvCacheBytes, blockSize, t, int8);
  }

  public RankOptions withInt8(boolean q) {
    return new RankOptions(kvCacheBytes, blockSize, threads, q);
  }

  /** Blocks that fit the budget on the most loaded rank of a {@code tp x pp} group. */
  public int kvBlocks(ModelConfig c, int tp, int pp) {
    int layers = (c.numLayers() + pp - 1) / pp;
    long perBlock = KvCache.bytesPerBlock(layers, blockSize, c.kvDim() / tp);
    long blocks = kvCacheBytes / perBlock;
    if (blocks < 1) {
      throw new IllegalArgumentException("KV budget of " + kvCacheBytes + " bytes holds no block of "
          + perBlock + " bytes");
    }
    return (int) Math.min(blocks, Integer.MAX_VALUE / ((long) blockSize * c.kvDim()));
  }
}
