package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.LabelMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The slots a {@link BundleSchedulingPolicy} call places over, as dense rows: totals and what is
 * available now as {@code long[]} over a column index of resource names, each slot's domain (node),
 * labels and label matches cached per selector.
 *
 * <p>Two kinds: one built per call from a list of {@link Slot}s (nested groups; columns = the
 * request's resource names), and the live-node table {@link ClusterView} keeps across calls, whose
 * {@code avail} rows are the view's own rows, updated in place as reservations change — a call reads
 * them and never writes them, so scheduling costs no per-node copying. Not thread-safe: the owner's
 * thread only.
 */
final class SlotTable {
  /** Column names; rows of {@link #total} and {@link #avail} are indexed by column. */
  final String[] names;
  final Map<String, Integer> column;
  final long[][] total;
  final long[][] avail;
  final NodeId[] nodes;
  final String[] labels;
  final List<Map<String, String>> nodeLabels;
  final ResourceSet[] totals;
  final int[] domainOf;
  final List<NodeId> domains = new ArrayList<>();
  final List<List<Integer>> slotsOfDomain = new ArrayList<>();
  /** Every domain has exactly one slot (the live-node table): fast paths apply. */
  final boolean singleSlotDomains;
  /** Position of each domain in NodeId order (the policy's tie-break). */
  final int[] domainRank;
  private final Map<Map<String, String>, boolean[]> labelCache = new HashMap<>();

  SlotTable(String[] names, long[][] total, long[][] avail, NodeId[] nodes, String[] labels,
      List<Map<String, String>> nodeLabels, ResourceSet[] totals) {
    this.names = names;
    this.column = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      column.put(names[i], i);
    }
    this.total = total;
    this.avail = avail;
    this.nodes = nodes;
    this.labels = labels;
    this.nodeLabels = nodeLabels;
    this.totals = totals;
    domainOf = new int[nodes.length];
    Map<NodeId, Integer> domainIndex = new LinkedHashMap<>();
    boolean single = true;
    for (int s = 0; s < nodes.length; s++) {
      Integer d = domainIndex.get(nodes[s]);
      if (d == null) {
        d = domains.size();
        domainIndex.put(nodes[s], d);
        domains.add(nodes[s]);
        slotsOfDomain.add(new ArrayList<>(1));
      } else {
        single = false;
      }
      domainOf[s] = d;
      slotsOfDomain.get(d).add(s);
    }
    singleSlotDomains = single;
    Integer[] byId = new Integer[domains.size()];
    for (int d = 0; d < byId.length; d++) {
      byId[d] = d;
    }
    Arrays.sort(byId, Comparator.comparing(domains::get));
    domainRank = new int[byId.length];
    for (int r = 0; r < byId.length; r++) {
      domainRank[byId[r]] = r;
    }
  }

  /** A table over {@code slots} with the given columns (in that order). */
  static SlotTable of(List<Slot> slots, String[] names) {
    int n = slots.size();
    long[][] total = new long[n][];
    long[][] avail = new long[n][];
    NodeId[] nodes = new NodeId[n];
    String[] labels = new String[n];
    List<Map<String, String>> nodeLabels = new ArrayList<>(n);
    ResourceSet[] totals = new ResourceSet[n];
    for (int s = 0; s < n; s++) {
      Slot slot = slots.get(s);
      total[s] = row(names, slot.total());
      avail[s] = row(names, slot.available());
      nodes[s] = slot.node();
      labels[s] = slot.label();
      nodeLabels.add(slot.labels());
      totals[s] = slot.total();
    }
    return new SlotTable(names, total, avail, nodes, labels, nodeLabels, totals);
  }

  static long[] row(String[] names, ResourceSet rs) {
    long[] v = new long[names.length];
    for (int i = 0; i < names.length; i++) {
      v[i] = rs.units(names[i]);
    }
    return v;
  }

  int size() {
    return nodes.length;
  }

  /** The slots again as records (for the generic path when a request names a column this table lacks). */
  List<Slot> slots() {
    List<Slot> out = new ArrayList<>(nodes.length);
    for (int s = 0; s < nodes.length; s++) {
      Map<String, Long> a = new LinkedHashMap<>();
      for (int c = 0; c < names.length; c++) {
        if (totals[s].has(names[c])) {
          a.put(names[c], avail[s][c]);
        }
      }
      out.add(new Slot(labels[s], nodes[s], nodeLabels.get(s), totals[s], ResourceSet.ofUnits(a)));
    }
    return out;
  }

  /** Which slots match {@code selector}; cached per selector for the table's life (bounded). */
  boolean[] matching(Map<String, String> selector) {
    boolean[] m = labelCache.get(selector);
    if (m == null) {
      if (labelCache.size() >= 256) {
        labelCache.clear();
      }
      m = new boolean[nodes.length];
      for (int s = 0; s < m.length; s++) {
        m[s] = LabelMatcher.matches(selector, nodeLabels.get(s));
      }
      labelCache.put(selector, m);
    }
    return m;
  }
}
