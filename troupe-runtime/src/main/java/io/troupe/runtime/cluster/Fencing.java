package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.PlacementGroupId;

/**
 * Gang fencing: members of one placement group at different epochs never reach each other, so a
 * half-old, half-new rank group cannot form after a gang restart.
 */
final class Fencing {
  static final String EXCEPTION = "io.troupe.runtime.api.StaleEpochException";

  private Fencing() {}

  /** Null when the call may proceed; otherwise why it is refused. */
  static String check(PlacementGroupId callerGroup, long callerEpoch, ActorContext target) {
    if (callerGroup == null || target.placementGroup().isEmpty()
        || !callerGroup.equals(target.placementGroup().get()) || callerEpoch == target.epoch()) {
      return null;
    }
    return "call refused: caller is at epoch " + callerEpoch + " of group " + callerGroup + " but the actor is at epoch "
        + target.epoch() + " (a gang restart separated them)";
  }
}
