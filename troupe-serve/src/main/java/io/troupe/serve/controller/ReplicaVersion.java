package io.troupe.serve.controller;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a deployment that a running replica cannot change: code and resources. Replicas of a
 * different version are rolled over (new ones started, then the old ones stopped). Everything else
 * ({@link ReplicaRuntimeConfig}, num_replicas, health-check and shutdown timing) changes in place.
 * Immutable; equality is what decides a restart.
 *
 * @param code code version (explicit, or a digest of class name and init args)
 * @param resources the replica actor's resources
 * @param placementGroupBundles per-replica group bundles; empty for none
 * @param placementGroupStrategy the group's strategy (only meaningful with bundles)
 */
public record ReplicaVersion(String code, ResourceSet resources, List<Bundle> placementGroupBundles,
    PlacementStrategy placementGroupStrategy) {
  public ReplicaVersion {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(resources, "resources");
    placementGroupBundles = placementGroupBundles == null ? List.of() : List.copyOf(placementGroupBundles);
    Objects.requireNonNull(placementGroupStrategy, "placementGroupStrategy");
  }
}
