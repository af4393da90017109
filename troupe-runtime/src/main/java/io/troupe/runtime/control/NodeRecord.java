package io.troupe.runtime.control;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The control service's record of one node. Owned by the control service's thread. */
final class NodeRecord {
  final NodeId id;
  final String address;
  final boolean head;
  final Map<String, String> labels;
  final ResourceSet total;
  final List<String> gpuIds;
  ResourceSet reported;
  Set<String> hosted;
  boolean alive = true;
  String deathReason;
  /** Starts sent to the node and not yet confirmed: key → demand. */
  final Map<String, ResourceSet> inflight = new HashMap<>();

  NodeRecord(NodeId id, String address, boolean head, Map<String, String> labels, ResourceSet total,
      List<String> gpuIds, ResourceSet available, Set<String> hosted) {
    this.id = id;
    this.address = address;
    this.head = head;
    this.labels = Map.copyOf(labels);
    this.total = total;
    this.gpuIds = List.copyOf(gpuIds);
    this.reported = available;
    this.hosted = Set.copyOf(hosted);
  }

  /** Reported free resources less starts in flight that the report does not reflect yet. */
  ResourceSet effectiveAvailable() {
    ResourceSet a = reported;
    for (Map.Entry<String, ResourceSet> e : inflight.entrySet()) {
      if (!hosted.contains(e.getKey())) {
        a = a.minusSaturating(e.getValue());
      }
    }
    return a;
  }

  NodeView view() {
    return new NodeView(id, alive, labels, total, alive ? effectiveAvailable() : ResourceSet.EMPTY);
  }

  NodeInfo info() {
    return new NodeInfo(id, address, alive ? NodeInfo.ALIVE : NodeInfo.DEAD, head, labels, total,
        alive ? effectiveAvailable() : ResourceSet.EMPTY, gpuIds, deathReason);
  }
}
