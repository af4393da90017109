package io.troupe.runtime.placement;

import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.resources.Allocation;

/**
 * One bundle a node agent holds, as reported to a (restarted) head so it can reconcile: commit what
 * it decided, cancel what it does not know. Immutable.
 */
public record HeldBundle(PlacementGroupId group, int index, long attempt, Phase phase, Allocation allocation) {
  /** Two-phase-commit phase of a held bundle. */
  public enum Phase {
    /** Resources set aside; no actor may use them until committed; cancelled if the head says so. */
    PREPARED,
    /** Reserved for the group; actors in the bundle allocate from it. */
    COMMITTED
  }

  public BundleReservation reservation() {
    return new BundleReservation(group, index, attempt, allocation.resources());
  }
}
