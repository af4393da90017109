package io.troupe.runtime.placement;

import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.ResourceSet;
import java.util.Objects;

/**
 * What the head asks a node agent to hold: bundle {@code index} of {@code group}, with its resources,
 * under reservation {@code attempt}. Attempts are unique and increasing per head (persisted), so a
 * node can tell a retry of the same prepare (same attempt: idempotent) from a newer try (higher) or a
 * stale message (lower). Immutable; the payload of prepare/commit/cancel messages.
 */
public record BundleReservation(PlacementGroupId group, int index, long attempt, ResourceSet resources) {
  public BundleReservation {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(resources, "resources");
  }

  @Override
  public String toString() {
    return group + "#" + index + "@" + attempt + " " + resources;
  }
}
