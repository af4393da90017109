package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The placement manager's view of the nodes: liveness, labels, totals, what is used outside
 * placement groups (reported by the control service) and what placement groups hold, including
 * bundles of 2PC attempts still in flight (tentatively deducted, so concurrent attempts never aim at
 * the same free resources). Available = total - external - reserved, floored at zero.
 *
 * <p>Not thread-safe: owned by the manager's thread. Authoritative only for {@code reserved}; the
 * node agents are authoritative for what they really hold.
 */
final class ClusterView {
  private static final class Node {
    NodeView view;
    ResourceSet external = ResourceSet.EMPTY;
    ResourceSet reserved = ResourceSet.EMPTY;

    Node(NodeView view) {
      this.view = view;
    }
  }

  private final Map<NodeId, Node> nodes = new TreeMap<>();
  private List<NodeView> views;

  /** Adds or revives a node. Reservations of a revived node start from zero. */
  void add(NodeId id, ResourceSet total, Map<String, String> labels) {
    nodes.put(id, new Node(new NodeView(id, true, labels, total, total)));
    views = null;
  }

  void markDead(NodeId id) {
    Node n = nodes.get(id);
    if (n != null) {
      n.reserved = ResourceSet.EMPTY;
      n.view = new NodeView(id, false, n.view.labels(), n.view.total(), ResourceSet.EMPTY);
      views = null;
    }
  }

  boolean alive(NodeId id) {
    Node n = nodes.get(id);
    return n != null && n.view.alive();
  }

  Map<String, String> labels(NodeId id) {
    Node n = nodes.get(id);
    return n == null ? Map.of() : n.view.labels();
  }

  void setExternalUsage(NodeId id, ResourceSet used) {
    Node n = nodes.get(id);
    if (n != null && n.view.alive()) {
      n.external = used;
      refresh(n);
    }
  }

  void reserve(NodeId id, ResourceSet r) {
    Node n = nodes.get(id);
    if (n != null && n.view.alive()) {
      n.reserved = n.reserved.plus(r);
      refresh(n);
    }
  }

  void unreserve(NodeId id, ResourceSet r) {
    Node n = nodes.get(id);
    if (n != null && n.view.alive()) {
      Map<String, Long> left = new HashMap<>(n.reserved.toUnits());
      r.toUnits().forEach((k, v) -> left.merge(k, -v, Long::sum));
      left.replaceAll((k, v) -> Math.max(0, v));
      n.reserved = ResourceSet.ofUnits(left);
      refresh(n);
    }
  }

  ResourceSet reserved(NodeId id) {
    Node n = nodes.get(id);
    return n == null ? ResourceSet.EMPTY : n.reserved;
  }

  ResourceSet total(NodeId id) {
    Node n = nodes.get(id);
    return n == null ? ResourceSet.EMPTY : n.view.total();
  }

  private void refresh(Node n) {
    Map<String, Long> a = new HashMap<>();
    for (String r : n.view.total().names()) {
      long v = n.view.total().units(r) - n.external.units(r) - n.reserved.units(r);
      a.put(r, Math.max(0, v));
    }
    n.view = n.view.withAvailable(ResourceSet.ofUnits(a));
    views = null;
  }

  /** Every known node (dead ones flagged), ordered by id. The list is shared: do not modify. */
  List<NodeView> views() {
    if (views == null) {
      List<NodeView> v = new ArrayList<>(nodes.size());
      nodes.values().forEach(n -> v.add(n.view));
      views = v;
    }
    return views;
  }
}
