package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupState;
import java.util.List;

/**
 * Side effects the manager asks of the control service on actors. Called on the manager's owner
 * thread; implementations must not call back into the manager synchronously.
 */
public interface PlacementGroupListener {
  /** Stop these actors (group removed or failed, or a gang restart); {@code reason} is for the user. */
  void stopActors(PlacementGroupId group, List<ActorId> actors, String reason);

  /**
   * Start all members of a gang again together, in bundle order, at {@code epoch}; their bundle
   * allocations are already taken. Members of older epochs must be fenced off.
   */
  void recreateGang(PlacementGroupId group, long epoch, List<GangMember> members);

  /** The group changed state (for metrics, events, persistence of views). */
  default void stateChanged(PlacementGroupId group, PlacementGroupState state, String reason) {}

  PlacementGroupListener NONE = new PlacementGroupListener() {
    @Override
    public void stopActors(PlacementGroupId group, List<ActorId> actors, String reason) {}

    @Override
    public void recreateGang(PlacementGroupId group, long epoch, List<GangMember> members) {}
  };
}
