package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.resources.Allocation;

/** Answer to placing an actor into a placement group. Each case says what the caller does next. */
public sealed interface ActorPlacement {
  /**
   * Start the actor on {@code node} in bundle {@code bundleIndex} at {@code epoch}; {@code allocation}
   * is taken from the bundle's reservation (its GPU ids become CUDA_VISIBLE_DEVICES).
   */
  record Placed(NodeId node, int bundleIndex, long epoch, Allocation allocation) implements ActorPlacement {}

  /** The group (or that bundle) is not reserved yet: wait for {@code ready()} and ask again. */
  record NotReady(String reason) implements ActorPlacement {}

  /** An error to report to the caller at once: unknown group/bundle, or no room left in the bundle. */
  record Rejected(String reason) implements ActorPlacement {}
}
