package io.troupe.serve.controller;

import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.serve.api.ReplicaId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link ClusterOps#startReplica} needs to bring one replica up. Immutable.
 *
 * @param id the replica; {@code id.toString()} is the actor's name (detached, so it outlives the controller)
 * @param className the deployment class to construct
 * @param initArgs constructor arguments; {@link io.troupe.serve.api.BoundDeployment}s become handles
 * @param version code and resources; the wiring keeps it with the actor and reports it back
 * @param runtime user_config to deliver to the reconfigure hook before the replica is ready, and
 *     max_ongoing_requests to enforce
 * @param placementGroup when present, create this group first (named
 *     {@link ClusterOps#placementGroupName}, detached) and start the actor in its bundle 0, with
 *     the group captured for the actor's children; when empty, schedule the actor with its resources
 */
public record ReplicaStartSpec(ReplicaId id, String className, List<Object> initArgs, ReplicaVersion version,
    ReplicaRuntimeConfig runtime, Optional<PlacementGroupSpec> placementGroup) {
  public ReplicaStartSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(className, "className");
    initArgs = initArgs == null ? List.of() : List.copyOf(initArgs);
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(runtime, "runtime");
    placementGroup = placementGroup == null ? Optional.empty() : placementGroup;
  }

  /** The replica's actor resources as {@link io.troupe.runtime.api.ActorOptions}-ready values. */
  public io.troupe.runtime.api.ResourceSet resources() {
    return version.resources();
  }
}
