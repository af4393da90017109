package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import java.util.Map;

/**
 * What the head persists per group so a restarted head can reconcile with the node agents. Written
 * before the commits are sent (state PREPARED with every bundle's node and attempt: the commit
 * decision), so recovery commits exactly the bundles it decided and cancels everything else.
 * Immutable.
 */
public record PersistedGroup(PlacementGroupId id, PlacementGroupSpec spec, PlacementGroupState state, long epoch,
    int gangRestarts, Map<Integer, Placement> bundles, long lastAttempt) {
  /** Where a bundle is held and under which attempt (for nested groups: the parent bundle index). */
  public record Placement(NodeId node, long attempt, int parentIndex) {}

  public PersistedGroup {
    bundles = Map.copyOf(bundles);
  }
}
