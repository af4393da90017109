package io.troupe.serve.controller;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.RequestRouterConfig;
import java.util.List;
import java.util.Optional;

/**
 * What routers of one deployment need to know (Ray's long-poll broadcast of running replicas and
 * the deployment config): the replicas that may receive traffic, the request limits and the routing
 * policy, and how often callers report the deployment's load ({@code metricsIntervalMs}, 0 when it does not
 * autoscale).
 * {@code epoch} grows whenever anything here changes, so the wiring can push only changes. Immutable.
 */
public record RoutingTable(DeploymentId deployment, long epoch, List<Replica> replicas, int maxOngoingRequests,
    int maxQueuedRequests, RequestRouterConfig requestRouter, long metricsIntervalMs) {
  public RoutingTable {
    replicas = List.copyOf(replicas);
    requestRouter = requestRouter == null ? RequestRouterConfig.POW2 : requestRouter;
  }

  /** A table of a deployment that does not autoscale. */
  public RoutingTable(DeploymentId deployment, long epoch, List<Replica> replicas, int maxOngoingRequests,
      int maxQueuedRequests, RequestRouterConfig requestRouter) {
    this(deployment, epoch, replicas, maxOngoingRequests, maxQueuedRequests, requestRouter, 0);
  }

  /**
   * A replica that may receive traffic, the node it runs on (for same-node preference) and its
   * actor when known (so callers reach it without a name lookup at the head).
   */
  public record Replica(ReplicaId id, NodeId node, Optional<ActorId> actor) {
    public Replica {
      actor = actor == null ? Optional.empty() : actor;
    }

    public Replica(ReplicaId id, NodeId node) {
      this(id, node, Optional.empty());
    }
  }
}
