package io.troupe.serve.controller;

import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.ReplicaId;
import java.util.List;

/**
 * What {@link ServeController#restore} did: replicas adopted without restart, replicas the cluster
 * had but the checkpoint did not know (stopped), checkpointed replicas that are gone (to be
 * replaced), and leaked placement groups it removed. Immutable.
 */
public record RestoreReport(List<ReplicaId> adopted, List<ReplicaId> orphansStopped, List<ReplicaId> lost,
    List<PlacementGroupId> leakedGroupsRemoved) {
}
