package io.troupe.runtime.placement;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementStrategy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Input to {@link BundleSchedulingPolicy}: all bundles of a group (index = position), its strategy,
 * the bundles already placed and kept ({@code fixed}: index to node, e.g. the surviving bundles of a
 * RESCHEDULING group) and the indices to place now. The strategy is honoured against the fixed
 * bundles' nodes too. Immutable.
 */
public record PlacementRequest(List<Bundle> bundles, PlacementStrategy strategy, Map<Integer, NodeId> fixed,
    Set<Integer> toPlace) {
  public PlacementRequest {
    bundles = List.copyOf(bundles);
    fixed = Map.copyOf(fixed);
    toPlace = Set.copyOf(new TreeSet<>(toPlace));
    for (int i : toPlace) {
      if (i < 0 || i >= bundles.size() || fixed.containsKey(i)) {
        throw new IllegalArgumentException("bundle index " + i + " is out of range or already placed");
      }
    }
  }

  /** Place every bundle; nothing is fixed. */
  public static PlacementRequest fresh(List<Bundle> bundles, PlacementStrategy strategy) {
    return new PlacementRequest(bundles, strategy, Map.of(),
        IntStream.range(0, bundles.size()).boxed().collect(java.util.stream.Collectors.toSet()));
  }

  /** Place only {@code lost}; the other bundles stay where {@code kept} says. */
  public static PlacementRequest lost(List<Bundle> bundles, PlacementStrategy strategy, Map<Integer, NodeId> kept,
      Set<Integer> lost) {
    return new PlacementRequest(bundles, strategy, kept, lost);
  }
}
