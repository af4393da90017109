package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.Map;

/**
 * A place a bundle can go: a live node, or (for nested groups) one bundle of the parent group.
 * {@code node} is the failure/spread domain the strategy is applied to; {@code label} names the slot
 * in messages. Immutable.
 */
public record Slot(String label, NodeId node, Map<String, String> labels, ResourceSet total,
    ResourceSet available) {
  public Slot {
    labels = Map.copyOf(labels);
  }

  public static Slot of(NodeView n) {
    return new Slot("node " + n.nodeId(), n.nodeId(), n.labels(), n.total(), n.available());
  }
}
