package io.troupe.llm.engine;

import io.troupe.llm.api.EngineMetrics;

/**
 * Accumulates engine counters and timings (from the injected clock) and builds {@link EngineMetrics}
 * snapshots. Owned by the engine's step thread; snapshots are immutable and published by the engine.
 */
final class MetricsRecorder {
  private long busyNanos;
  private long promptTokens;
  private long outputTokens;
  private long ttftCount;
  private double ttftSumNanos;
  private long tpotCount;
  private double tpotSumNanos;
  private long finished;

  void step(long nanos, int computedPromptTokens, int sampledTokens) {
    busyNanos += nanos;
    promptTokens += computedPromptTokens;
    outputTokens += sampledTokens;
  }

  void firstToken(long ttftNanos) {
    ttftCount++;
    ttftSumNanos += ttftNanos;
  }

  void finished(Sequence s) {
    finished++;
    if (s.outputCount() > 1 && s.firstTokenNanos >= 0) {
      tpotCount++;
      tpotSumNanos += (double) (s.lastTokenNanos - s.firstTokenNanos) / (s.outputCount() - 1);
    }
  }

  EngineMetrics snapshot(int running, int waiting, BlockManager blocks, long preemptions) {
    double secs = busyNanos / 1e9;
    return new EngineMetrics(running, waiting, blocks.usage(), blocks.prefixHitRate(),
        ttftCount == 0 ? 0 : ttftSumNanos / ttftCount / 1e6,
        tpotCount == 0 ? 0 : tpotSumNanos / tpotCount / 1e6,
        secs == 0 ? 0 : promptTokens / secs,
        secs == 0 ? 0 : outputTokens / secs,
        preemptions, finished, blocks.prefixQueriedTokens(), blocks.prefixHitTokens());
  }
}
