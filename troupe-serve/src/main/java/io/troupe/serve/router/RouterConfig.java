package io.troupe.serve.router;

import java.time.Duration;
import java.util.List;

/**
 * Tuning of {@link RequestRouter}, with Ray Serve's defaults. Immutable.
 *
 * @param queueLengthCacheTtl a cached queue length is trusted this long (Ray: 10 s)
 * @param probeTimeout an unanswered probe counts as "full" after this (Ray: 0.1 s)
 * @param backoff waits after each round in which every candidate was full; the last repeats
 *     (Ray: 0, 0.05, 0.1, 0.15, 0.2, 0.5, 1.0 s)
 */
public record RouterConfig(Duration queueLengthCacheTtl, Duration probeTimeout, List<Duration> backoff) {
  public static final RouterConfig DEFAULT = new RouterConfig(Duration.ofSeconds(10), Duration.ofMillis(100),
      List.of(Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(150),
          Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1)));

  public RouterConfig {
    backoff = List.copyOf(backoff);
    if (backoff.isEmpty()) {
      throw new IllegalArgumentException("backoff needs at least one step");
    }
  }

  Duration backoffFor(int attempt) {
    return backoff.get(Math.min(attempt, backoff.size() - 1));
  }
}
