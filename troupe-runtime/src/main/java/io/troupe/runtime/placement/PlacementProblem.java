package io.troupe.runtime.placement;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.LabelMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One scheduling call's working data: the request's resources as dense {@code long[]} vectors over
 * the resource names it uses, slots grouped into domains (nodes), label matches cached per selector.
 * Built per call and thrown away; not thread-safe.
 */
final class PlacementProblem {
  final PlacementRequest request;
  final List<Slot> slots;
  final String[] names;
  /** need[bundle][r]: demand of every bundle of the group (fixed ones included). */
  final long[][] need;
  final long[][] total;
  final long[][] avail;
  final int[] domainOf;
  final List<NodeId> domains = new ArrayList<>();
  final List<List<Integer>> slotsOfDomain = new ArrayList<>();
  /** Domains used by fixed bundles (-1 entries for nodes no longer present are dropped). */
  final TreeSet<Integer> fixedDomains = new TreeSet<>();
  final List<Integer> order;
  private final Map<Map<String, String>, boolean[]> labelCache = new HashMap<>();

  PlacementProblem(PlacementRequest request, List<Slot> slots) {
    this.request = request;
    this.slots = slots;
    TreeSet<String> ns = new TreeSet<>();
    for (Bundle b : request.bundles()) {
      ns.addAll(b.resources().names());
    }
    names = ns.toArray(new String[0]);
    need = new long[request.bundles().size()][];
    for (int i = 0; i < need.length; i++) {
      need[i] = vector(request.bundles().get(i).resources());
    }
    total = new long[slots.size()][];
    avail = new long[slots.size()][];
    domainOf = new int[slots.size()];
    Map<NodeId, Integer> domainIndex = new LinkedHashMap<>();
    for (int s = 0; s < slots.size(); s++) {
      Slot slot = slots.get(s);
      total[s] = vector(slot.total());
      avail[s] = vector(slot.available());
      Integer d = domainIndex.get(slot.node());
      if (d == null) {
        d = domains.size();
        domainIndex.put(slot.node(), d);
        domains.add(slot.node());
        slotsOfDomain.add(new ArrayList<>(1));
      }
      domainOf[s] = d;
      slotsOfDomain.get(d).add(s);
    }
    request.fixed().values().forEach(n -> {
      Integer d = domainIndex.get(n);
      if (d != null) {
        fixedDomains.add(d);
      }
    });
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
    for (int i = 0; i < names.length; i++) {
      v[i] = rs.units(names[i]);
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

  boolean labelsOk(int bundle, int slot) {
    Map<String, String> sel = request.bundles().get(bundle).labelSelector();
    if (sel.isEmpty()) {
      return true;
    }
    boolean[] m = labelCache.computeIfAbsent(sel, k -> {
      boolean[] r = new boolean[slots.size()];
      for (int s = 0; s < r.length; s++) {
        r[s] = LabelMatcher.matches(k, slots.get(s).labels());
      }
      return r;
    });
    return m[slot];
  }

  /** Highest used/total ratio over the request's resources if {@code need} were taken from {@code have}. */
  double utilisationAfter(int slot, long[] have, long[] need) {
    double max = 0;
    long[] t = total[slot];
    for (int i = 0; i < t.length; i++) {
      if (t[i] > 0) {
        max = Math.max(max, (t[i] - have[i] + (need == null ? 0 : need[i])) / (double) t[i]);
      }
    }
    return max;
  }

  long[][] copyAvail() {
    long[][] c = new long[avail.length][];
    for (int i = 0; i < c.length; i++) {
      c[i] = avail[i].clone();
    }
    return c;
  }

  String bundleText(int i) {
    return "bundle " + i + " " + request.bundles().get(i);
  }

  /** Up to three slots that match the bundle's labels and could hold it by totals, with what is free. */
  String whereShort(int bundle, long[][] have) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    int candidates = 0;
    for (int s = 0; s < slots.size(); s++) {
      if (labelsOk(bundle, s) && fits(need[bundle], total[s])) {
        candidates++;
        if (shown < 3) {
          sb.append(shown == 0 ? "" : "; ").append(slots.get(s).label()).append(" has ")
              .append(text(have[s])).append(" free");
          shown++;
        }
      }
    }
    return candidates + " candidate(s), none with room now (" + sb + (candidates > shown ? "; ..." : "") + ")";
  }

  String text(long[] v) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], Math.max(0, v[i]));
    }
    return ResourceSet.ofUnits(m).toString();
  }
}
