package io.troupe.runtime.scheduling;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import java.util.Map;

/** The scheduler's view of one node: liveness, labels, totals and what is available now. */
public record NodeView(NodeId nodeId, boolean alive, Map<String, String> labels, ResourceSet total,
    ResourceSet available) {
  public NodeView {
    labels = Map.copyOf(labels);
  }

  public NodeView withAvailable(ResourceSet a) {
    return new NodeView(nodeId, alive, labels, total, a);
  }

  /** Utilisation after placing {@code demand}: the highest used/total ratio over the node's resources. */
  public double utilisationAfter(ResourceSet demand) {
    double max = 0;
    for (String r : total.names()) {
      double t = total.get(r);
      if (t <= 0) {
        continue;
      }
      double used = t - available.get(r) + demand.get(r);
      max = Math.max(max, used / t);
    }
    return max;
  }
}
