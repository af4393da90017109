package io.troupe.serve.controller;

import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.api.DeploymentStatus;
import io.troupe.serve.api.DeploymentStatusTrigger;
import io.troupe.serve.api.ReplicaState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of everything the controller manages, in the shape of Ray Serve's
 * {@code GET /api/serve/applications/} answer: applications → deployments → replicas. Immutable;
 * maps keep their insertion order.
 */
public record ServeStatus(Map<String, Application> applications) {

  public record Application(String name, Optional<String> routePrefix, ApplicationStatus status, String message,
      Instant lastDeployedAt, String ingress, Map<String, Deployment> deployments) {
  }

  public record Deployment(String name, DeploymentStatus status, DeploymentStatusTrigger statusTrigger,
      String message, int targetNumReplicas, java.util.List<Replica> replicas) {
  }

  /** One replica; {@code nodeId} and {@code placementGroupId} are empty until it was ready. */
  public record Replica(String replicaId, ReplicaState state, Optional<String> nodeId,
      Optional<String> placementGroupId, Instant startTime, String version, Optional<String> actorId) {
  }
}
