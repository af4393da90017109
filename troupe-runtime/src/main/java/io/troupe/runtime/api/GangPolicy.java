package io.troupe.runtime.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Gang failure policy of a placement group: when any member actor or a node holding a bundle dies,
 * every member is stopped, the group's epoch is bumped, lost bundles are re-reserved and all members
 * are recreated together. After {@code maxRestarts} restarts the group ends FAILED. Restart {@code n}
 * (from 1) waits {@code min(maxBackoff, initialBackoff * 2^(n-1))}. Immutable.
 */
public record GangPolicy(int maxRestarts, Duration initialBackoff, Duration maxBackoff) {
  /** 3 restarts, 1 s doubling up to 30 s. */
  public static final GangPolicy DEFAULT = new GangPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(30));

  public GangPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("maxRestarts must be >= 0, got " + maxRestarts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, got " + initialBackoff
          + " and " + maxBackoff);
    }
  }

  /** Delay before restart number {@code n} (1-based). */
  public Duration backoff(int n) {
    Duration d = initialBackoff;
    for (int i = 1; i < n && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
