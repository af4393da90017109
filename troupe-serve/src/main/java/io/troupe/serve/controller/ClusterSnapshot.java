package io.troupe.serve.controller;

import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.ReplicaId;
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
}
