package io.troupe.runtime.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the bundles of a placement group are laid out over nodes. Hard strategies never relax:
 * a group that cannot be laid out that way stays pending (or infeasible).
 */
public enum PlacementStrategy {
  /** All bundles on one node if one has room now, otherwise spill onto as few nodes as possible. Soft. */
  PACK(false),
  /** Bundles on distinct nodes where possible, sharing nodes only when there are not enough. Soft. */
  SPREAD(false),
  /** All bundles on one node, or none. Hard. */
  STRICT_PACK(true),
  /** Every bundle on a different node, or none. Hard. */
  STRICT_SPREAD(true);

  private final boolean hard;

  PlacementStrategy(boolean hard) {
    this.hard = hard;
  }

  /** True for STRICT_* strategies, which are never relaxed. */
  public boolean hard() {
    return hard;
  }

  /** Parses a strategy name (case-insensitive); throws naming the valid ones. */
  public static PlacementStrategy parse(String name) {
    if (name != null) {
      for (PlacementStrategy s : values()) {
        if (s.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException("unknown placement strategy '" + name + "': use one of "
        + Arrays.toString(values()));
  }
}
