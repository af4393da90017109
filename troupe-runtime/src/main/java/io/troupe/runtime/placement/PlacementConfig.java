package io.troupe.runtime.placement;

import java.time.Duration;

/**
 * Tuning of {@link PlacementGroupManager}; {@link #DEFAULTS} documents the defaults.
 *
 * @param prepareTimeout an attempt whose prepares (or commits) are not all answered by then is
 *     aborted (prepare) or loses the unanswered bundles (commit), so a slow node never blocks a group
 * @param initialBackoff delay after the first failed attempt of a pending group; doubles per failure
 * @param maxBackoff cap of the back-off
 * @param jitter the back-off is multiplied by {@code 1 + jitter * random}
 * @param rescheduleBurst RESCHEDULING groups served before one PENDING group, so they go first
 *     but never starve new groups
 * @param maxAttemptsPerTick groups tried per {@code tick}, so one tick stays short
 */
public record PlacementConfig(Duration prepareTimeout, Duration initialBackoff, Duration maxBackoff, double jitter,
    int rescheduleBurst, int maxAttemptsPerTick) {
  /** 30 s prepare timeout; back-off 100 ms doubling to 10 s, 20% jitter; burst 3; 1,000 tries per tick. */
  public static final PlacementConfig DEFAULTS =
      new PlacementConfig(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(10), 0.2, 3, 1000);

  public PlacementConfig {
    if (rescheduleBurst < 1 || maxAttemptsPerTick < 1 || jitter < 0) {
      throw new IllegalArgumentException("rescheduleBurst and maxAttemptsPerTick must be >= 1, jitter >= 0");
    }
  }

  public PlacementConfig withMaxAttemptsPerTick(int n) {
    return new PlacementConfig(prepareTimeout, initialBackoff, maxBackoff, jitter, rescheduleBurst, n);
  }
}
