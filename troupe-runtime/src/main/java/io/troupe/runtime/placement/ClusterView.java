package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The placement manager's view of the nodes: liveness, labels, totals, what is used outside
 * placement groups (reported by the control service) and what placement groups hold, including
 * bundles of 2PC attempts still in flight (tentatively deducted, so concurrent attempts never aim at
 * the same free resources). Available = total - external - reserved, floored at zero.
 *
 * <p>Kept as dense {@code long[]} rows over a column per resource name, updated in place by
 * {@link #reserve}/{@link #unreserve} (O(resources)); {@link #table()} hands the policy the live
 * nodes' rows without copying them, rebuilt only when a node joins or dies. {@link NodeView}s are
 * rebuilt lazily for {@link #views()}.
 *
 * <p>Not thread-safe: owned by the manager's thread. Authoritative only for {@code reserved}; the
 * node agents are authoritative for what they really hold.
 */
final class ClusterView {
  private static final class Node {
    final int pos;
    final NodeId id;
    final boolean alive;
    final Map<String, String> labels;
    final ResourceSet totalSet;
    long[] total;
    long[] external;
    long[] reserved;
    long[] avail;
    NodeView view;

    Node(int pos, NodeId id, boolean alive, Map<String, String> labels, ResourceSet totalSet, int columns) {
      this.pos = pos;
      this.id = id;
      this.alive = alive;
      this.labels = Map.copyOf(labels);
      this.totalSet = totalSet;
      total = new long[columns];
      external = new long[columns];
      reserved = new long[columns];
      avail = new long[columns];
    }
  }

  private final Map<NodeId, Node> nodes = new HashMap<>();
  /** Nodes in the order they first joined. */
  private final List<Node> order = new ArrayList<>();
  private final Map<String, Integer> column = new LinkedHashMap<>();
  private String[] names = new String[0];
  private SlotTable table;
  private final List<NodeView> views = new ArrayList<>();
  private boolean viewsStale;

  /** Adds or revives a node. Reservations of a revived node start from zero. */
  void add(NodeId id, ResourceSet total, Map<String, String> labels) {
    boolean widened = false;
    for (String r : total.names()) {
      if (!column.containsKey(r)) {
        column.put(r, column.size());
        widened = true;
      }
    }
    if (widened) {
      names = column.keySet().toArray(new String[0]);
      for (Node n : order) {
        n.total = widen(n.total);
        n.external = widen(n.external);
        n.reserved = widen(n.reserved);
        n.avail = widen(n.avail);
      }
    }
    Node old = nodes.get(id);
    Node n = new Node(old == null ? order.size() : old.pos, id, true, labels, total, names.length);
    n.total = SlotTable.row(names, total);
    nodes.put(id, n);
    if (old == null) {
      order.add(n);
    } else {
      order.set(n.pos, n);
    }
    refresh(n);
    table = null;
  }

  private long[] widen(long[] row) {
    long[] w = new long[names.length];
    System.arraycopy(row, 0, w, 0, row.length);
    return w;
  }

  void markDead(NodeId id) {
    Node old = nodes.get(id);
    if (old != null) {
      Node n = new Node(old.pos, id, false, old.labels, old.totalSet, names.length);
      n.total = old.total;
      nodes.put(id, n);
      order.set(n.pos, n);
      viewsStale = true;
      table = null;
    }
  }

  boolean alive(NodeId id) {
    Node n = nodes.get(id);
    return n != null && n.alive;
  }

  Map<String, String> labels(NodeId id) {
    Node n = nodes.get(id);
    return n == null ? Map.of() : n.labels;
  }

  void setExternalUsage(NodeId id, ResourceSet used) {
    Node n = nodes.get(id);
    if (n != null && n.alive) {
      java.util.Arrays.fill(n.external, 0);
      add(n.external, used, 1);
      refresh(n);
    }
  }

  void reserve(NodeId id, ResourceSet r) {
    Node n = nodes.get(id);
    if (n != null && n.alive) {
      add(n.reserved, r, 1);
      refresh(n);
    }
  }

  void unreserve(NodeId id, ResourceSet r) {
    Node n = nodes.get(id);
    if (n != null && n.alive) {
      add(n.reserved, r, -1);
      for (int c = 0; c < n.reserved.length; c++) {
        n.reserved[c] = Math.max(0, n.reserved[c]);
      }
      refresh(n);
    }
  }

  /** Adds {@code sign * r} to the row; resources no node has (no column) cannot be on this node's books. */
  private void add(long[] row, ResourceSet r, int sign) {
    for (String name : r.names()) {
      Integer c = column.get(name);
      if (c != null) {
        row[c] += sign * r.units(name);
      }
    }
  }

  ResourceSet reserved(NodeId id) {
    Node n = nodes.get(id);
    return n == null ? ResourceSet.EMPTY : set(n.reserved, null);
  }

  ResourceSet total(NodeId id) {
    Node n = nodes.get(id);
    return n == null ? ResourceSet.EMPTY : n.totalSet;
  }

  private ResourceSet set(long[] row, ResourceSet only) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int c = 0; c < names.length; c++) {
      if (only == null ? row[c] != 0 : only.has(names[c])) {
        m.put(names[c], row[c]);
      }
    }
    return ResourceSet.ofUnits(m);
  }

  private void refresh(Node n) {
    for (int c = 0; c < names.length; c++) {
      n.avail[c] = Math.max(0, n.total[c] - n.external[c] - n.reserved[c]);
    }
    n.view = null;
    viewsStale = true;
  }

  /** The live nodes as the policy's slots, in joining order; rows are shared and change in place. */
  SlotTable table() {
    if (table == null) {
      List<Node> live = new ArrayList<>();
      for (Node n : order) {
        if (n.alive) {
          live.add(n);
        }
      }
      int k = live.size();
      long[][] total = new long[k][];
      long[][] avail = new long[k][];
      NodeId[] ids = new NodeId[k];
      String[] labels = new String[k];
      List<Map<String, String>> nodeLabels = new ArrayList<>(k);
      ResourceSet[] totals = new ResourceSet[k];
      for (int s = 0; s < k; s++) {
        Node n = live.get(s);
        total[s] = n.total;
        avail[s] = n.avail;
        ids[s] = n.id;
        labels[s] = "node " + n.id;
        nodeLabels.add(n.labels);
        totals[s] = n.totalSet;
      }
      table = new SlotTable(names, total, avail, ids, labels, nodeLabels, totals);
    }
    return table;
  }

  /** Every known node (dead ones flagged), in joining order. Read, do not keep or modify. */
  List<NodeView> views() {
    if (viewsStale || views.size() != order.size()) {
      views.clear();
      for (Node n : order) {
        if (n.view == null) {
          n.view = new NodeView(n.id, n.alive, n.labels, n.totalSet, n.alive ? set(n.avail, n.totalSet)
              : ResourceSet.EMPTY);
        }
        views.add(n.view);
      }
      viewsStale = false;
    }
    return views;
  }
}
