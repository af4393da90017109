package io.troupe.llm.parallel;

import io.troupe.llm.model.KvCache;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.WeightType;

/**
 * How a rank is built.
 *
 * @param kvCacheBytes KV memory budget of each rank; the block count is derived from it (same on all ranks)
 * @param blockSize    positions per KV block (default 16)
 * @param threads      CPUs the rank's kernels use (default 1)
 * @param weights      how weight matrices are held in memory (default {@link WeightType#AUTO}: as stored)
 */
public record RankOptions(long kvCacheBytes, int blockSize, int threads, WeightType weights) {
  public RankOptions {
    if (kvCacheBytes <= 0 || blockSize <= 0 || threads <= 0) {
      throw new IllegalArgumentException("kvCacheBytes, blockSize and threads must be positive");
    }
    java.util.Objects.requireNonNull(weights, "weights");
  }

  /** With {@code int8}: weights quantized at load; otherwise float32. */
  public RankOptions(long kvCacheBytes, int blockSize, int threads, boolean int8) {
    this(kvCacheBytes, blockSize, threads, int8 ? WeightType.INT8 : WeightType.FLOAT32);
  }

  /** 64 MiB of KV per rank, blocks of 16, one thread, weights as the checkpoint stores them. */
  public static RankOptions defaults() {
    return new RankOptions(64L << 20, 16, 1, WeightType.AUTO);
  }

  /** Whether weights are quantized to int8 at load. */
  public boolean int8() {
    return weights == WeightType.INT8;
  }

  public RankOptions withWeights(WeightType w) {
    return new RankOptions(kvCacheBytes, blockSize, threads, w);
  }

  public RankOptions withKvCacheBytes(long b) {
    return new RankOptions(b, blockSize, threads, weights);
  }

  public RankOptions withBlockSize(int b) {
    return new RankOptions(kvCacheBytes, b, threads, weights);
  }

  public RankOptions withThreads(int t) {
    return new RankOptions(kvCacheBytes, blockSize, t, weights);
  }

  public RankOptions withInt8(boolean q) {
    return new RankOptions(kvCacheBytes, blockSize, threads, q ? WeightType.INT8 : WeightType.AUTO);
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
