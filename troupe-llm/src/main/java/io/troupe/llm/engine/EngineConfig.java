package io.troupe.llm.engine;

/**
 * Engine knobs.
 *
 * @param maxBatchTokens tokens computed per step across all sequences (default 256); a longer prompt is
 *                       prefilled in chunks so running sequences keep decoding
 * @param maxRunningSeqs sequences in the running batch (default 64)
 * @param microBatches   micro-batches per step for pipeline parallelism (default 1)
 * @param prefixCaching  share and reuse full KV blocks of identical prefixes (default true)
 */
public record EngineConfig(int maxBatchTokens, int maxRunningSeqs, int microBatches, boolean prefixCaching) {
  public EngineConfig {
    if (maxBatchTokens < 1 || maxRunningSeqs < 1 || microBatches < 1) {
      throw new IllegalArgumentException("engine limits must be positive");
    }
  }

  public static EngineConfig defaults() {
    return new EngineConfig(256, 64, 1, true);
  }

  public EngineConfig withMaxBatchTokens(int n) {
    return new EngineConfig(n, maxRunningSeqs, microBatches, prefixCaching);
  }

  public EngineConfig withMaxRunningSeqs(int n) {
    return new EngineConfig(maxBatchTokens, n, microBatches, prefixCaching);
  }

  public EngineConfig withMicroBatches(int n) {
    return new EngineConfig(maxBatchTokens, maxRunningSeqs, n, prefixCaching);
  }

  public EngineConfig withPrefixCaching(boolean b) {
    return new EngineConfig(maxBatchTokens, maxRunningSeqs, microBatches, b);
  }
}
