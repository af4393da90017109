package io.troupe.runtime.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bipartite matching (Kuhn's augmenting paths) of bundles to distinct domains for STRICT_SPREAD: a
 * bundle may use a domain when one of its slots matches the labels and has room in {@code have}.
 * Domains of fixed bundles are excluded. Stateless; O(bundles x edges) worst case.
 */
final class DomainMatcher {
  private DomainMatcher() {}

  /** Bundle index to slot index, or null when no complete matching exists. */
  static Map<Integer, Integer> match(PlacementProblem p, long[][] have) {
    List<Integer> bs = p.order;
    List<int[]> adj = new ArrayList<>(bs.size());
    for (int b : bs) {
      List<Integer> edges = new ArrayList<>();
      boolean[] hasEdge = new boolean[p.domains.size()];
      for (int s = 0; s < p.slotCount(); s++) {
        int d = p.domainOf[s];
        if (hasEdge[d] || p.isFixed(d)) {
          continue;
        }
        if (p.labelsOk(b, s) && PlacementProblem.fits(p.need[b], have[s])) {
          edges.add(s);
          hasEdge[d] = true;
        }
      }
      if (edges.isEmpty()) {
        return null;
      }
      adj.add(edges.stream().mapToInt(Integer::intValue).toArray());
    }
    int[] ownerOfDomain = new int[p.domains.size()];
    Arrays.fill(ownerOfDomain, -1);
    int[] slotOfBundle = new int[bs.size()];
    for (int i = 0; i < bs.size(); i++) {
      boolean[] seen = new boolean[p.domains.size()];
      if (!augment(i, adj, p, ownerOfDomain, slotOfBundle, seen)) {
        return null;
      }
    }
    Map<Integer, Integer> r = new HashMap<>();
    for (int i = 0; i < bs.size(); i++) {
      r.put(bs.get(i), slotOfBundle[i]);
    }
    return r;
  }

  private static boolean augment(int i, List<int[]> adj, PlacementProblem p, int[] ownerOfDomain,
      int[] slotOfBundle, boolean[] seen) {
    for (int s : adj.get(i)) {
      int d = p.domainOf[s];
      if (seen[d]) {
        continue;
      }
      seen[d] = true;
      if (ownerOfDomain[d] < 0 || augment(ownerOfDomain[d], adj, p, ownerOfDomain, slotOfBundle, seen)) {
        ownerOfDomain[d] = i;
        slotOfBundle[i] = s;
        return true;
      }
    }
    return false;
  }
}
