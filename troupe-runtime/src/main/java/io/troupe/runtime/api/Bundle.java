package io.troupe.runtime.api;

import java.util.Map;
import java.util.Objects;

/**
 * One bundle of a placement group: resources reserved together on one node, and an optional label
 * selector the node must match (e.g. {@code {"accelerator": "H100"}}; values as in
 * {@link SchedulingStrategy.NodeLabels}). Immutable.
 */
public record Bundle(ResourceSet resources, Map<String, String> labelSelector) {
  public Bundle {
    Objects.requireNonNull(resources, "resources");
    labelSelector = labelSelector == null ? Map.of() : Map.copyOf(labelSelector);
  }

  /** A bundle from a resource map; quantities are validated by {@link ResourceSet#of(Map)}. */
  public static Bundle of(Map<String, ? extends Number> resources) {
    return new Bundle(ResourceSet.of(resources), Map.of());
  }

  public static Bundle of(ResourceSet resources) {
    return new Bundle(resources, Map.of());
  }

  public Bundle withLabels(Map<String, String> selector) {
    return new Bundle(resources, selector);
  }

  @Override
  public String toString() {
    return labelSelector.isEmpty() ? resources.toString() : resources + " on " + labelSelector;
  }
}
