package io.troupe.runtime.placement;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One scheduling call's working data: the request's resources as dense {@code long[]} vectors over
 * the columns of a {@link SlotTable}, the request's own columns (for utilisation and messages),
 * fixed domains, the order bundles are placed in. Built per call and thrown away; reads the table's
 * rows and never writes them ({@link Have} is the copy-on-write working copy). Not thread-safe.
 */
final class PlacementProblem {
  final PlacementRequest request;
  final SlotTable table;
  final String[] names;
  /** The request's columns, in name order: what utilisation and messages look at. */
  final int[] cols;
  /** need[bundle][column]: demand of every bundle of the group (fixed ones included). */
  final long[][] need;
  final long[][] total;
  final long[][] avail;
  final int[] domainOf;
  final List<NodeId> domains;
  final List<List<Integer>> slotsOfDomain;
  /** Domains used by fixed bundles (nodes no longer present are dropped). */
  final TreeSet<Integer> fixedDomains = new TreeSet<>();
  private final boolean[] fixedDomain;
  final List<Integer> order;

  /** Over arbitrary slots: the columns are the request's resource names. */
  PlacementProblem(PlacementRequest request, List<Slot> slots) {
    this(request, SlotTable.of(slots, requestNames(request).toArray(new String[0])));
  }

  /** Over a table that has a column for every resource the request names (see {@link #covers}). */
  PlacementProblem(PlacementRequest request, SlotTable table) {
    this.request = request;
    this.table = table;
    this.names = table.names;
    TreeSet<String> ns = requestNames(request);
    cols = new int[ns.size()];
    int k = 0;
    for (String n : ns) {
      cols[k++] = table.column.get(n);
    }
    need = new long[request.bundles().size()][];
    for (int i = 0; i < need.length; i++) {
      need[i] = vector(request.bundles().get(i).resources());
    }
    total = table.total;
    avail = table.avail;
    domainOf = table.domainOf;
    domains = table.domains;
    slotsOfDomain = table.slotsOfDomain;
    fixedDomain = new boolean[domains.size()];
    if (!request.fixed().isEmpty()) {
      Map<NodeId, Integer> domainIndex = new HashMap<>();
      for (int d = 0; d < domains.size(); d++) {
        domainIndex.put(domains.get(d), d);
      }
      request.fixed().values().forEach(n -> {
        Integer d = domainIndex.get(n);
        if (d != null) {
          fixedDomains.add(d);
          fixedDomain[d] = true;
        }
      });
    }
    order = new ArrayList<>(request.toPlace());
    // Scarce first (GPU), then large (most units of the named resources), then by index.
    int gpu = indexOf(ResourceSet.GPU);
    order.sort((a, b) -> {
      long ga = gpu < 0 ? 0 : need[a][gpu];
      long gb = gpu < 0 ? 0 : need[b][gpu];
      if (ga != gb) {
        return Long.compare(gb, ga);
      }
      int c = compareLexDesc(need[a], need[b]);
      return c != 0 ? c : Integer.compare(a, b);
    });
  }

  private static TreeSet<String> requestNames(PlacementRequest request) {
    TreeSet<String> ns = new TreeSet<>();
    for (Bundle b : request.bundles()) {
      ns.addAll(b.resources().names());
    }
    return ns;
  }

  /** Whether {@code table} has a column for every resource the request names. */
  static boolean covers(SlotTable table, PlacementRequest request) {
    for (Bundle b : request.bundles()) {
      for (String n : b.resources().names()) {
        if (!table.column.containsKey(n)) {
          return false;
        }
      }
    }
    return true;
  }

  int slotCount() {
    return table.size();
  }

  boolean isFixed(int domain) {
    return fixedDomain[domain];
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static int compareLexDesc(long[] a, long[] b) {
    long sa = 0;
    long sb = 0;
    for (int i = 0; i < a.length; i++) {
      sa += a[i];
      sb += b[i];
    }
    return Long.compare(sb, sa);
  }

  long[] vector(ResourceSet rs) {
    long[] v = new long[names.length];
    for (String n : rs.names()) {
      v[table.column.get(n)] = rs.units(n);
    }
    return v;
  }

  static boolean fits(long[] need, long[] have) {
    for (int i = 0; i < need.length; i++) {
      if (need[i] > have[i]) {
        return false;
      }
    }
    return true;
  }

  static void take(long[] from, long[] need) {
    for (int i = 0; i < need.length; i++) {
      from[i] -= need[i];
    }
  }

  /** Whether any bundle has a label selector (if none, label checks can be skipped). */
  boolean anySelector() {
    for (Bundle b : request.bundles()) {
      if (!b.labelSelector().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  boolean labelsOk(int bundle, int slot) {
    Map<String, String> sel = request.bundles().get(bundle).labelSelector();
    return sel.isEmpty() || table.matching(sel)[slot];
  }

  /** Highest used/total ratio over the request's resources if {@code need} were taken from {@code have}. */
  double utilisationAfter(int slot, long[] have, long[] need) {
    double max = 0;
    long[] t = total[slot];
    for (int i : cols) {
      if (t[i] > 0) {
        max = Math.max(max, (t[i] - have[i] + (need == null ? 0 : need[i])) / (double) t[i]);
      }
    }
    return max;
  }

  /** A working copy of what is available, copied per slot on first write. */
  Have have() {
    return new Have(avail);
  }

  /** What is left per slot while a call places bundles; rows are copied from the table when first taken from. */
  static final class Have {
    private final long[][] base;
    private final long[][] rows;

    Have(long[][] base) {
      this.base = base;
      this.rows = base.clone();
    }

    long[] get(int slot) {
      return rows[slot];
    }

    void take(int slot, long[] need) {
      if (rows[slot] == base[slot]) {
        rows[slot] = base[slot].clone();
      }
      PlacementProblem.take(rows[slot], need);
    }

    long[][] rows() {
      return rows;
    }

    /** Whether the call has taken from the slot (its row is no longer the table's). */
    boolean touched(int slot) {
      return rows[slot] != base[slot];
    }
  }

  /**
   * {@link #utilisationAfter} of bundle {@code b} on slot {@code s} given what is left in {@code have},
   * or NaN when it does not fit or the labels do not match. For slots the call has not taken from,
   * the answer depends only on the bundle's demand and selector, so it is computed once per distinct
   * (demand, selector) and reused: a 40-bundle group of equal bundles scans the nodes' rows once.
   */
  double utilIfFits(int b, int s, Have have) {
    if (have.touched(s)) {
      long[] h = have.get(s);
      return labelsOk(b, s) && fits(need[b], h) ? utilisationAfter(s, h, need[b]) : Double.NaN;
    }
    Map<String, String> sel = request.bundles().get(b).labelSelector();
    if (cacheFor < 0 || !(cacheFor == b || (java.util.Arrays.equals(need[cacheFor], need[b])
        && request.bundles().get(cacheFor).labelSelector().equals(sel)))) {
      if (utilCache == null) {
        utilCache = new double[slotCount()];
      }
      for (int k = 0; k < utilCache.length; k++) {
        utilCache[k] = labelsOk(b, k) && fits(need[b], avail[k]) ? utilisationAfter(k, avail[k], need[b]) : Double.NaN;
      }
    }
    cacheFor = b;
    return utilCache[s];
  }

  private double[] utilCache;
  private int cacheFor = -1;

  String slotLabel(int s) {
    return table.labels[s];
  }

  NodeId nodeOf(int s) {
    return table.nodes[s];
  }

  String bundleText(int i) {
    return "bundle " + i + " " + request.bundles().get(i);
  }

  /** Up to three slots that match the bundle's labels and could hold it by totals, with what is free. */
  String whereShort(int bundle, long[][] have) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    int candidates = 0;
    for (int s = 0; s < slotCount(); s++) {
      if (labelsOk(bundle, s) && fits(need[bundle], total[s])) {
        candidates++;
        if (shown < 3) {
          sb.append(shown == 0 ? "" : "; ").append(slotLabel(s)).append(" has ")
              .append(text(have[s])).append(" free");
          shown++;
        }
      }
    }
    return candidates + " candidate(s), none with room now (" + sb + (candidates > shown ? "; ..." : "") + ")";
  }

  String text(long[] v) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i : cols) {
      m.put(names[i], Math.max(0, v[i]));
    }
    return ResourceSet.ofUnits(m).toString();
  }
}
