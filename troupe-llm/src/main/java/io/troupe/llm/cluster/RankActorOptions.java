package io.troupe.llm.cluster;

import io.troupe.llm.model.WeightType;
import io.troupe.llm.parallel.RankOptions;
import java.io.Serializable;
import java.time.Duration;

/**
 * How a {@link RankActor} builds its worker; a serializable mirror of {@link RankOptions} plus the peer deadline
 * (it travels as a constructor argument to the rank's node).
 *
 * @param weights           {@link WeightType#configName()} of how weights are held
 * @param peerTimeoutMillis deadline of every wait for a peer (all-reduce part, activations) and every send
 */
public record RankActorOptions(long kvCacheBytes, int blockSize, int threads, String weights, long peerTimeoutMillis)
    implements Serializable {
  public RankActorOptions {
    if (peerTimeoutMillis <= 0) {
      throw new IllegalArgumentException("peer timeout must be positive, got " + peerTimeoutMillis + " ms");
    }
    new RankOptions(kvCacheBytes, blockSize, threads, WeightType.parse(weights)); // validates the rest
  }

  public static RankActorOptions of(RankOptions o, Duration peerTimeout) {
    return new RankActorOptions(o.kvCacheBytes(), o.blockSize(), o.threads(), o.weights().configName(), peerTimeout.toMillis());
  }

  public RankOptions rankOptions() {
    return new RankOptions(kvCacheBytes, blockSize, threads, WeightType.parse(weights));
  }

  public Duration peerTimeout() {
    return Duration.ofMillis(peerTimeoutMillis);
  }
}
