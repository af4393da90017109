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
  private ResourceSet reported;
  private Set<String> hosted;
  boolean alive = true;
  String deathReason;
  /** Starts sent to the node and not yet confirmed: key → demand. */
  private final Map<String, ResourceSet> inflight = new HashMap<>();
  /**
   * Sum of the demands in {@link #inflight} whose actor the last report does not list as hosted,
   * kept as starts come and go (O(1) each) and recomputed only when a report arrives; null = stale.
   */
  private ResourceSet unreported = ResourceSet.EMPTY;

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

  /** A report from the node: what is free and which actor incarnations it hosts. */
  void report(ResourceSet available, Set<String> hostedKeys) {
    reported = available;
    hosted = Set.copyOf(hostedKeys);
    unreported = null;
  }

  Set<String> hosted() {
    return hosted;
  }

  /** A start was sent to the node. */
  void addInflight(String key, ResourceSet demand) {
    ResourceSet old = inflight.put(key, demand);
    if (unreported != null) {
      if (old != null && !hosted.contains(key)) {
        unreported = unreported.minusSaturating(old);
      }
      if (!hosted.contains(key)) {
        unreported = unreported.plus(demand);
      }
    }
  }

  /** A start was confirmed, failed or undone. */
  void removeInflight(String key) {
    ResourceSet old = inflight.remove(key);
    if (old != null && unreported != null && !hosted.contains(key)) {
      unreported = unreported.minusSaturating(old);
    }
  }

  void clearInflight() {
    inflight.clear();
    unreported = ResourceSet.EMPTY;
  }

  /** Takes over the starts in flight of the node's previous registration. */
  void inheritInflight(NodeRecord previous) {
    previous.inflight.forEach(this::addInflight);
  }

  /**
   * Reported free resources less starts in flight that the report does not reflect yet (saturating
   * at zero per resource; subtracting the sum equals subtracting each demand in turn).
   */
  ResourceSet effectiveAvailable() {
    if (unreported == null) {
      ResourceSet sum = ResourceSet.EMPTY;
      for (Map.Entry<String, ResourceSet> e : inflight.entrySet()) {
        if (!hosted.contains(e.getKey())) {
          sum = sum.plus(e.getValue());
        }
      }
      unreported = sum;
    }
    return reported.minusSaturating(unreported);
  }

  NodeView view() {
    return new NodeView(id, alive, labels, total, alive ? effectiveAvailable() : ResourceSet.EMPTY);
  }

  NodeInfo info() {
    return new NodeInfo(id, address, alive ? NodeInfo.ALIVE : NodeInfo.DEAD, head, labels, total,
        alive ? effectiveAvailable() : ResourceSet.EMPTY, gpuIds, deathReason);
  }
}
