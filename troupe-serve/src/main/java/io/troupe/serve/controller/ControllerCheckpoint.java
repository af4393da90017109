package io.troupe.serve.controller;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.ReplicaId;
import java.util.List;
import java.util.Optional;

/**
 * The controller's durable state: targets and the replicas it believes exist (written ahead of
 * starting them). Plain records, so the wiring can serialize them (e.g. with Jackson) into the
 * control service's KV store. Immutable.
 */
public record ControllerCheckpoint(List<App> applications) {
  public ControllerCheckpoint {
    applications = List.copyOf(applications);
  }

  /** One application. */
  public record App(String name, Optional<String> routePrefix, String ingress, boolean deleting,
      List<Deployment> deployments) {
    public App {
      deployments = List.copyOf(deployments);
    }
  }

  /** One deployment: its target and replicas. */
  public record Deployment(DeploymentTarget target, boolean deleting, List<Replica> replicas) {
    public Deployment {
      replicas = List.copyOf(replicas);
    }
  }

  /**
   * One replica as last known; node, group and actor are empty until it was ready once.
   * {@code stopping}: the controller had decided to stop it, so a restarted controller stops it
   * instead of adopting it.
   */
  public record Replica(ReplicaId id, ReplicaVersion version, ReplicaRuntimeConfig runtime,
      Optional<NodeId> node, Optional<PlacementGroupId> placementGroup, boolean stopping, Optional<ActorId> actor) {
    public Replica {
      actor = actor == null ? Optional.empty() : actor;
    }
  }
}
