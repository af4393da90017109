package io.troupe.llm.cluster;

import io.troupe.llm.parallel.RankOptions;
import java.io.Serializable;
import java.time.Duration;

/**
 * How a {@link RankActor} builds its worker; a serializable mirror of {@link RankOptions} plus the peer deadline
 * (it travels as a constructor argument to the rank's node).
 *
 * @param peerTimeoutMillis deadline of every wait for a peer (all-reduce part, activations) and every send
 */
public record RankActorOptions(long kvCacheBytes, int blockSize, int threads, boolean int8, long peerTimeoutMillis)
    implements Serializable {
  public RankActorOptions {
    if (peerTimeoutMillis <= 0) {
      throw new IllegalArgumentException("peer timeout must be positive, got " + peerTimeoutMillis + " ms");
    }
    new RankOptions(kvCacheBytes, blockSize, threads, int8); // validates the rest
  }

  public static RankActorOptions of(RankOptions o, Duration peerTimeout) {
    return new RankActorOptions(o.kvCacheBytes(), o.blockSize(), o.threads(), o.int8(), peerTimeout.toMillis());
  }

  public RankOptions rankOptions() {
    return new RankOptions(kvCacheBytes, blockSize, threads, int8);
  }

  public Duration peerTimeout() {
    return Duration.ofMillis(peerTimeoutMillis);
  }
}
