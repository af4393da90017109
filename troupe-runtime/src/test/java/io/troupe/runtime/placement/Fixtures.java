package io.troupe.runtime.placement;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small builders for nodes and bundles used across the placement tests. */
final class Fixtures {
  private Fixtures() {}

  static Bundle cpu(double c) {
    return Bundle.of(ResourceSet.of(ResourceSet.CPU, c));
  }

  static Bundle cpuGpu(double c, double g) {
    return Bundle.of(ResourceSet.of(ResourceSet.CPU, c, ResourceSet.GPU, g));
  }

  static NodeView node(String id, double cpu, double gpu) {
    ResourceSet t = gpu > 0 ? ResourceSet.of(ResourceSet.CPU, cpu, ResourceSet.GPU, gpu) : ResourceSet.of(ResourceSet.CPU, cpu);
    return new NodeView(NodeId.of(id), true, Map.of(), t, t);
  }

  static NodeView node(String id, double cpu, double gpu, Map<String, String> labels) {
    NodeView n = node(id, cpu, gpu);
    return new NodeView(n.nodeId(), true, labels, n.total(), n.available());
  }

  static NodeView used(NodeView n, ResourceSet used) {
    return n.withAvailable(n.total().minus(used));
  }

  static List<NodeView> nodes(int count, double cpu, double gpu) {
    List<NodeView> ns = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ns.add(node(String.format("n%04d", i), cpu, gpu));
    }
    return ns;
  }

  static List<Bundle> bundles(int count, Bundle b) {
    List<Bundle> bs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      bs.add(b);
    }
    return bs;
  }
}
