package io.troupe.runtime.autoscaler;

import io.troupe.runtime.api.ResourceSet;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of {@code available_node_types}: what a node of this type offers and how many may run.
 * Immutable.
 *
 * @param name the key in {@code available_node_types}
 * @param resources what the node offers (required, not empty)
 * @param labels its node labels (label selectors of bundles and actors match against them)
 * @param minWorkers nodes of this type kept running even when idle; default 0
 * @param maxWorkers at most this many nodes of this type; default the cluster's {@code max_workers}
 * @param nodeConfig provider-specific settings, handed to the {@code command} provider as JSON
 */
public record NodeType(String name, ResourceSet resources, Map<String, String> labels, int minWorkers,
    int maxWorkers, Map<String, Object> nodeConfig) {
  public NodeType {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(resources, "resources");
    labels = Map.copyOf(labels);
    nodeConfig = nodeConfig == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
        nodeConfig));
  }
}
