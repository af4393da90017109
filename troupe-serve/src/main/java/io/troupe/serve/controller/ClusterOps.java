package io.troupe.serve.controller;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.ReplicaId;
import java.time.Duration;
import java.util.Optional;

/**
 * Every side effect of the serve controller, in one interface: the cluster wiring implements it on
 * the runtime (replica actors, placement groups, the control service's KV store); tests use a
 * scripted fake. Ray Serve's {@code ActorReplicaWrapper} plays this role.
 *
 * <p><b>Contract.</b> Called only from the controller's owner thread. No method may block: the
 * actions start work and the controller learns the outcome by polling {@link #poll} and
 * {@link #pollHealth} on later ticks (the wiring keeps the futures). No method should throw; if one
 * does, the controller records an INTERNAL_ERROR and tries again on the next tick.
 */
public interface ClusterOps {

  /** Prefix of the names of per-replica placement groups; groups with it are the controller's own. */
  String PLACEMENT_GROUP_PREFIX = "serve-replica:";

  /** Name of the placement group of replica {@code id}. */
  static String placementGroupName(ReplicaId id) {
    return PLACEMENT_GROUP_PREFIX + id;
  }

  /**
   * Starts a replica: its placement group if the spec has one, the actor (in bundle 0), its
   * constructor, then its reconfigure hook with the spec's user_config. {@link #poll} reports
   * {@link ReplicaReport.Pending} until it is ready to serve.
   */
  void startReplica(ReplicaStartSpec spec);

  /**
   * The outcome of the replica's latest action (start, reconfigure, stop), or its death.
   * For a replica recovered after a controller restart, Ready once the wiring re-attached to it.
   */
  ReplicaReport poll(ReplicaId id);

  /** Delivers a new runtime config in place (no restart); {@link #poll} is Pending until applied. */
  void reconfigure(ReplicaId id, ReplicaRuntimeConfig config);

  /** Starts one health check (the user's hook); the result comes from {@link #pollHealth}. */
  void checkHealth(ReplicaId id);

  /** The result of the latest health check started by {@link #checkHealth}. */
  HealthReport pollHealth(ReplicaId id);

  /**
   * Stops a replica gracefully: routers stop sending to it, it drains in-flight requests (checking
   * every {@code waitLoop}), and is killed at {@code timeout}. {@link #poll} then reports Stopped.
   * The controller removes the replica's placement group itself.
   */
  void stopReplica(ReplicaId id, Duration waitLoop, Duration timeout);

  /** Removes a placement group (of a stopped, dead or leaked replica). Idempotent. */
  void removePlacementGroup(PlacementGroupId id);

  /** Persists the controller's checkpoint in the control service, replacing the previous one. */
  void saveCheckpoint(ControllerCheckpoint checkpoint);

  /** What {@link #poll} says about a replica. */
  sealed interface ReplicaReport {
    /** The latest action is still running; ask again on the next tick. */
    record Pending() implements ReplicaReport {
    }

    /**
     * Started (or reconfigured, or re-attached) and serving, on {@code node}, as actor {@code actor}
     * (empty when the wiring does not know it).
     */
    record Ready(NodeId node, Optional<PlacementGroupId> placementGroup, Optional<ActorId> actor)
        implements ReplicaReport {
      public Ready(NodeId node, Optional<PlacementGroupId> placementGroup) {
        this(node, placementGroup, Optional.empty());
      }
    }

    /**
     * The constructor or reconfigure hook threw (or the group could not be created); the replica is
     * unusable and will be stopped. {@code placementGroup} is its group if one was created.
     */
    record Failed(String error, Optional<PlacementGroupId> placementGroup) implements ReplicaReport {
    }

    /** The actor died (crash, node loss) or is unknown; it will be replaced. */
    record Dead(String cause) implements ReplicaReport {
    }

    /** Stopped after {@link #stopReplica}. */
    record Stopped() implements ReplicaReport {
    }
  }

  /** What {@link #pollHealth} says about the latest health check. */
  sealed interface HealthReport {
    /** Not answered yet; the controller fails it after health_check_timeout_s. */
    record Pending() implements HealthReport {
    }

    record Healthy() implements HealthReport {
    }

    /** The hook threw or the call failed; {@code error} is shown in the deployment's message. */
    record Unhealthy(String error) implements HealthReport {
    }
  }
}
