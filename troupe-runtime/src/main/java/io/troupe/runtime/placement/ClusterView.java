package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    final int pos;
    NodeView view;
    ResourceSet external = ResourceSet.EMPTY;
    ResourceSet reserved = ResourceSet.EMPTY;

    Node(int pos, NodeView view) {
      this.pos = pos;
      this.view = view;
    }
  }

  private final Map<NodeId, Node> nodes = new HashMap<>();
  /** Views in the order nodes first joined; updated in place. */
  private final List<NodeView> views = new ArrayList<>();

  /** Adds or revives a node. Reservations of a revived node start from zero. */
  void add(NodeId id, ResourceSet total, Map<String, String> labels) {
    Node old = nodes.get(id);
    Node n = new Node(old == null ? views.size() : old.pos, new NodeView(id, true, labels, total, total));
    nodes.put(id, n);
    if (old == null) {
      views.add(n.view);
    } else {
      views.set(n.pos, n.view);
    }
  }

  void markDead(NodeId id) {
    Node n = nodes.get(id);
    if (n != null) {
      n.reserved = ResourceSet.EMPTY;
      n.view = new NodeView(id, false, n.view.labels(), n.view.total(), ResourceSet.EMPTY);
      views.set(n.pos, n.view);
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
    views.set(n.pos, n.view);
  }

  /** Every known node (dead ones flagged), in joining order. Live list: read, do not keep or modify. */
  List<NodeView> views() {
    return views;
  }
}
