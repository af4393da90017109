package io.troupe.runtime.autoscaler;

import io.troupe.runtime.api.ResourceSet;
import java.util.Map;
import java.util.Optional;

/**
 * A node the bin-packing may place demand on: a live node (its free resources now) or one being launched
 * (its type's resources). Immutable.
 *
 * @param id node id, or the launch id of a node not joined yet
 * @param nodeType its type when the autoscaler launched it
 * @param total everything it offers
 * @param available what is free on it
 * @param labels its labels
 */
public record NodeCapacity(String id, Optional<String> nodeType, ResourceSet total, ResourceSet available,
    Map<String, String> labels) {
  public NodeCapacity {
    labels = Map.copyOf(labels);
  }
}
