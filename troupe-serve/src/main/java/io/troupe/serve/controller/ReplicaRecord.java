package io.troupe.serve.controller;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ReplicaState;
import java.time.Instant;
import java.util.Optional;

/**
 * The controller's view of one replica. Mutable; owned by one {@link DeploymentStateManager} and
 * touched only on its owner thread.
 */
final class ReplicaRecord {
  final ReplicaId id;
  final ReplicaVersion version;
  final Instant startTime;
  ReplicaRuntimeConfig runtime;
  /** While UPDATING: the runtime config being applied. */
  ReplicaRuntimeConfig pendingRuntime;
  ReplicaState state;
  /** What to start; null once launched (or for a recovered replica). */
  ReplicaStartSpec spec;
  /** False until {@link ClusterOps#startReplica} was called (written ahead in the checkpoint first). */
  boolean launched;
  Optional<NodeId> node = Optional.empty();
  Optional<PlacementGroupId> placementGroup = Optional.empty();
  /** The replica's actor, once a Ready report named it (kept in the checkpoint). */
  Optional<ActorId> actor = Optional.empty();
  Instant nextHealthCheckAt;
  Instant healthCheckStartedAt;
  int healthFailures;

  ReplicaRecord(ReplicaId id, ReplicaVersion version, ReplicaRuntimeConfig runtime, ReplicaState state,
      Instant now) {
    this.id = id;
    this.version = version;
    this.runtime = runtime;
    this.state = state;
    this.startTime = now;
  }

  boolean is(ReplicaState... states) {
    for (ReplicaState s : states) {
      if (state == s) {
        return true;
      }
    }
    return false;
  }

  ControllerCheckpoint.Replica checkpoint() {
    return new ControllerCheckpoint.Replica(id, version, runtime, node, placementGroup, state == ReplicaState.STOPPING,
        actor);
  }

  ServeStatus.Replica status() {
    return new ServeStatus.Replica(id.toString(), state, node.map(NodeId::value),
        placementGroup.map(PlacementGroupId::value), startTime, version.code(), actor.map(ActorId::value));
  }
}
