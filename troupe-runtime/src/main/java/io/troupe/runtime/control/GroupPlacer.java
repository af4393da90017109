package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.placement.ActorPlacement;
import io.troupe.runtime.protocol.ActorSpec;
import java.util.OptionalInt;

/**
 * What the control service needs from the placement-group manager to run actors in bundles.
 * Implemented over {@link io.troupe.runtime.placement.PlacementGroupManager}; {@link #NONE} refuses.
 */
public interface GroupPlacer {
  ActorPlacement place(ActorId actor, PlacementGroupId group, OptionalInt bundle, ResourceSet demand, ActorSpec spec);

  /** The bundle held on the node for this group's bundle: itself, or for a nested group its root's. */
  BundleTarget physical(PlacementGroupId group, int index);

  boolean isGang(PlacementGroupId group);

  /** An actor in a group died (gang groups restart all members). */
  void actorDied(ActorId actor, String cause);

  /** An actor in a group was stopped on purpose. */
  void actorRemoved(ActorId actor);

  /** An owner (actor id or node id) is gone: its non-detached groups are removed. */
  void ownerDead(String owner);

  /** Where an actor in a group draws its resources on its node. */
  record BundleTarget(PlacementGroupId group, int index) {}

  GroupPlacer NONE = new GroupPlacer() {
    @Override
    public ActorPlacement place(ActorId actor, PlacementGroupId group, OptionalInt bundle, ResourceSet demand,
        ActorSpec spec) {
      return new ActorPlacement.Rejected("placement groups are not available here");
    }

    @Override
    public BundleTarget physical(PlacementGroupId group, int index) {
      return new BundleTarget(group, index);
    }

    @Override
    public boolean isGang(PlacementGroupId group) {
      return false;
    }

    @Override
    public void actorDied(ActorId actor, String cause) {}

    @Override
    public void actorRemoved(ActorId actor) {}

    @Override
    public void ownerDead(String owner) {}
  };
}
