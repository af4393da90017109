package io.troupe.runtime.autoscaler;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import java.util.List;
import java.util.Objects;

/**
 * Work waiting for room that the autoscaler may add nodes for: a placement group's unplaced bundles with its
 * strategy, or one actor's resource request (one bundle, {@code PACK}). Immutable.
 *
 * @param source what waits, for status ("placement group pg-1", "actor Worker")
 * @param bundles the resources (and label selectors) to place
 * @param strategy how the bundles must be laid out over nodes
 */
public record Demand(String source, List<Bundle> bundles, PlacementStrategy strategy) {
  public Demand {
    Objects.requireNonNull(source, "source");
    bundles = List.copyOf(bundles);
    Objects.requireNonNull(strategy, "strategy");
    if (bundles.isEmpty()) {
      throw new IllegalArgumentException("a demand needs at least one bundle");
    }
  }

  /** One actor's request. */
  public static Demand actor(String source, Bundle bundle) {
    return new Demand(source, List.of(bundle), PlacementStrategy.PACK);
  }

  @Override
  public String toString() {
    return source + " " + bundles + (bundles.size() > 1 ? " " + strategy : "");
  }
}
