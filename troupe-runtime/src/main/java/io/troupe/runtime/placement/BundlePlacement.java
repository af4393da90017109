package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import java.util.Map;

/** Result of {@link BundleSchedulingPolicy}. Each case says what the caller does next. */
public sealed interface BundlePlacement {
  /**
   * Every requested bundle has a place: {@code nodes} maps bundle index to node, {@code slots} to the
   * index of the chosen slot in the list given to the policy. Reserve them (2PC); the node agents
   * still have the final word.
   */
  record Placed(Map<Integer, NodeId> nodes, Map<Integer, Integer> slots) implements BundlePlacement {
    public Placed {
      nodes = Map.copyOf(nodes);
      slots = Map.copyOf(slots);
    }
  }

  /**
   * Feasible by totals but not by what is free now; {@code reason} names the bundle that does not
   * fit and where. Keep the group pending and retry with back-off.
   */
  record Wait(String reason) implements BundlePlacement {}

  /**
   * No set of live nodes could ever hold it (by totals, labels and the hard strategy). Mark the group
   * infeasible with this reason, keep it, and retry when a node joins.
   */
  record Infeasible(String reason) implements BundlePlacement {}
}
