package io.troupe.serve.controller;

import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.serve.api.ReplicaId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cluster reports to a restarting controller: the replica actors that are alive (found by
 * their names, {@link ReplicaId#parse}) and the placement groups whose names start with
 * {@link ClusterOps#PLACEMENT_GROUP_PREFIX}. Immutable.
 */
public record ClusterSnapshot(Set<ReplicaId> aliveReplicas, Map<PlacementGroupId, String> servePlacementGroups) {
  public ClusterSnapshot {
    aliveReplicas = Set.copyOf(aliveReplicas);
    servePlacementGroups = Map.copyOf(servePlacementGroups);
  }

  /**
   * Builds the snapshot from the runtime's actor directory and group table: actors of
   * {@code replicaClass} that are not DEAD and whose name is a replica id, and groups that are not
   * REMOVED or FAILED and whose name has the serve prefix.
   */
  public static ClusterSnapshot of(List<ActorInfo> actors, List<PlacementGroupInfo> groups, String replicaClass) {
    Set<ReplicaId> alive = new HashSet<>();
    for (ActorInfo a : actors) {
      if (a.state() == ActorState.DEAD || a.name() == null || !replicaClass.equals(a.className())) {
        continue;
      }
      try {
        alive.add(ReplicaId.parse(a.name()));
      } catch (IllegalArgumentException e) {
        // a replica-class actor someone named otherwise: not the controller's
      }
    }
    Map<PlacementGroupId, String> serve = new HashMap<>();
    for (PlacementGroupInfo g : groups) {
      if (g.state() != PlacementGroupState.REMOVED && g.state() != PlacementGroupState.FAILED
          && g.name().isPresent() && g.name().get().startsWith(ClusterOps.PLACEMENT_GROUP_PREFIX)) {
        serve.put(g.id(), g.name().get());
      }
    }
    return new ClusterSnapshot(alive, serve);
  }
}
