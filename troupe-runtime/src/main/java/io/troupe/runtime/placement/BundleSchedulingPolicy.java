package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays out the bundles of a placement group over slots (live nodes, or a parent group's bundles for
 * nested groups) under its {@link io.troupe.runtime.api.PlacementStrategy}. A pure function of its
 * inputs: no clock, no randomness, no state; safe to call from any thread.
 *
 * <p>Feasible (fits by totals, labels and the hard strategy) is kept apart from available (fits what
 * is free now): {@link BundlePlacement.Infeasible} vs {@link BundlePlacement.Wait}. Scarce resources
 * (GPU) and large bundles are placed first. Fixed bundles (the survivors of a RESCHEDULING group) count
 * for the strategy: STRICT_PACK places the lost ones on the survivors' node, STRICT_SPREAD avoids the
 * survivors' nodes, PACK prefers them and SPREAD prefers other nodes.
 *
 * <p>Cost is O(bundles x slots x resources) with dense {@code long[]} vectors, plus a bipartite
 * matching for STRICT_SPREAD only when the greedy pass fails.
 */
public final class BundleSchedulingPolicy {

  /** Places over the live nodes among {@code nodes}. */
  public BundlePlacement schedule(PlacementRequest request, List<NodeView> nodes) {
    List<Slot> slots = new ArrayList<>(nodes.size());
    for (NodeView n : nodes) {
      if (n.alive()) {
        slots.add(Slot.of(n));
      }
    }
    return place(request, slots);
  }

  /** Places over arbitrary slots; {@link BundlePlacement.Placed#slots()} indexes into {@code slots}. */
  public BundlePlacement place(PlacementRequest request, List<Slot> slots) {
    if (request.toPlace().isEmpty()) {
      return new BundlePlacement.Placed(Map.of(), Map.of());
    }
    return place(new PlacementProblem(request, slots));
  }

  /**
   * Places over a table of slots kept across calls ({@link ClusterView#table()}); the same result as
   * {@link #place(PlacementRequest, List)} over the same slots, without copying them per call.
   */
  BundlePlacement place(PlacementRequest request, SlotTable table) {
    if (request.toPlace().isEmpty()) {
      return new BundlePlacement.Placed(Map.of(), Map.of());
    }
    return place(PlacementProblem.covers(table, request) ? new PlacementProblem(request, table)
        : new PlacementProblem(request, table.slots()));
  }

  private BundlePlacement place(PlacementProblem p) {
    PlacementRequest request = p.request;
    String infeasible = perBundleInfeasibility(p);
    if (infeasible != null) {
      return new BundlePlacement.Infeasible(infeasible);
    }
    return switch (request.strategy()) {
      case STRICT_PACK -> strictPack(p);
      case PACK -> pack(p);
      case SPREAD -> spread(p);
      case STRICT_SPREAD -> strictSpread(p);
    };
  }

  private static String perBundleInfeasibility(PlacementProblem p) {
    Set<io.troupe.runtime.api.Bundle> checked = new HashSet<>();
    for (int b : p.order) {
      if (!checked.add(p.request.bundles().get(b))) {
        continue;
      }
      boolean labelMatch = false;
      boolean ok = false;
      for (int s = 0; s < p.slotCount() && !ok; s++) {
        if (p.labelsOk(b, s)) {
          labelMatch = true;
          ok = PlacementProblem.fits(p.need[b], p.total[s]);
        }
      }
      if (!ok) {
        if (p.slotCount() == 0) {
          return p.bundleText(b) + " cannot be placed: there are no live nodes";
        }
        if (!labelMatch) {
          return p.bundleText(b) + " cannot be placed: no live node matches labels "
              + p.request.bundles().get(b).labelSelector();
        }
        return p.bundleText(b) + " exceeds the totals of every live node" + largest(p, b);
      }
    }
    return null;
  }

  private static String largest(PlacementProblem p, int b) {
    int best = -1;
    for (int s = 0; s < p.slotCount(); s++) {
      if (p.labelsOk(b, s) && (best < 0 || sumOfCols(p, p.total[s]) > sumOfCols(p, p.total[best]))) {
        best = s;
      }
    }
    return best < 0 ? "" : " (largest: " + p.slotLabel(best) + " with total " + p.table.totals[best] + ")";
  }

  private static long sumOfCols(PlacementProblem p, long[] v) {
    long sum = 0;
    for (int c : p.cols) {
      sum += v[c];
    }
    return sum;
  }

  // ---- STRICT_PACK and the single-domain attempt of PACK ----

  private static BundlePlacement strictPack(PlacementProblem p) {
    if (p.table.singleSlotDomains && p.fixedDomains.isEmpty()) {
      return strictPackOneSlotEach(p);
    }
    List<Integer> allowed = packDomains(p);
    if (!p.fixedDomains.isEmpty() && allowed.isEmpty()) {
      return new BundlePlacement.Infeasible("STRICT_PACK: the node of the kept bundles "
          + p.request.fixed().values() + " is gone, and the lost bundles must share it");
    }
    boolean feasible = false;
    for (int d : allowed) {
      if (!feasible) {
        List<Integer> ss = p.slotsOfDomain.get(d);
        long[][] totals = new long[ss.size()][];
        for (int k = 0; k < ss.size(); k++) {
          totals[k] = p.total[ss.get(k)].clone();
          if (ss.size() == 1) {
            long[] t = totals[k];
            p.request.fixed().forEach((i, n) -> {
              if (n.equals(p.domains.get(d))) {
                PlacementProblem.take(t, p.need[i]);
              }
            });
          }
        }
        feasible = fillDomain(p, d, totals, true) != null;
      }
      Map<Integer, Integer> placed = fillDomain(p, d, p.avail, false);
      if (placed != null) {
        return placedResult(p, placed);
      }
    }
    if (!feasible) {
      return new BundlePlacement.Infeasible("STRICT_PACK: the " + p.order.size() + " bundles together "
          + sum(p) + " exceed the totals of every single node" + (p.fixedDomains.isEmpty() ? ""
          : " (they must join the kept bundles on " + p.request.fixed().values().iterator().next() + ")"));
    }
    return new BundlePlacement.Wait("STRICT_PACK: the " + p.order.size() + " bundles together " + sum(p)
        + " fit no single node now; " + roomiest(p, allowed));
  }

  /**
   * STRICT_PACK when every domain is one slot and nothing is fixed, in one pass: all bundles fit one
   * slot iff their sum fits it, so the answer is the busiest slot (NodeId breaks ties) where the sum
   * fits — the first one {@link #packDomains}' order would find, without sorting every node.
   */
  private static BundlePlacement strictPackOneSlotEach(PlacementProblem p) {
    long[] sum = sumOfNeeds(p);
    int best = bestPackSlot(p, sum);
    if (best >= 0) {
      return placedResult(p, allOn(p, best));
    }
    boolean feasible = false;
    for (int s = 0; s < p.slotCount() && !feasible; s++) {
      feasible = allLabelsOk(p, s) && PlacementProblem.fits(sum, p.total[s]);
    }
    if (!feasible) {
      return new BundlePlacement.Infeasible("STRICT_PACK: the " + p.order.size() + " bundles together "
          + sum(p) + " exceed the totals of every single node");
    }
    List<Integer> all = new ArrayList<>(p.domains.size());
    for (int d = 0; d < p.domains.size(); d++) {
      all.add(d);
    }
    return new BundlePlacement.Wait("STRICT_PACK: the " + p.order.size() + " bundles together " + sum(p)
        + " fit no single node now; " + roomiest(p, all));
  }

  /** The busiest single-slot domain (lowest NodeId on ties) that can take {@code sum} whole, or -1. */
  private static int bestPackSlot(PlacementProblem p, long[] sum) {
    int best = -1;
    double bestUtil = -1;
    boolean labels = p.anySelector();
    for (int s = 0; s < p.slotCount(); s++) {
      if (!PlacementProblem.fits(sum, p.avail[s]) || (labels && !allLabelsOk(p, s))) {
        continue;
      }
      double u = p.utilisationAfter(s, p.avail[s], null);
      if (best < 0 || u > bestUtil
          || (u == bestUtil && p.table.domainRank[p.domainOf[s]] < p.table.domainRank[p.domainOf[best]])) {
        best = s;
        bestUtil = u;
      }
    }
    return best;
  }

  private static long[] sumOfNeeds(PlacementProblem p) {
    long[] sum = new long[p.names.length];
    for (int b : p.order) {
      for (int c = 0; c < sum.length; c++) {
        sum[c] += p.need[b][c];
      }
    }
    return sum;
  }

  private static boolean allLabelsOk(PlacementProblem p, int s) {
    for (int b : p.order) {
      if (!p.labelsOk(b, s)) {
        return false;
      }
    }
    return true;
  }

  private static Map<Integer, Integer> allOn(PlacementProblem p, int s) {
    Map<Integer, Integer> placed = new HashMap<>();
    for (int b : p.order) {
      placed.put(b, s);
    }
    return placed;
  }

  /** Domains a STRICT_PACK/PACK group may pack into, busiest first (best fit). */
  private static List<Integer> packDomains(PlacementProblem p) {
    List<Integer> ds = new ArrayList<>();
    if (!p.fixedDomains.isEmpty()) {
      ds.addAll(p.fixedDomains);
      return ds;
    }
    double[] util = new double[p.domains.size()];
    for (int d = 0; d < util.length; d++) {
      ds.add(d);
      int s = p.slotsOfDomain.get(d).get(0);
      util[d] = p.utilisationAfter(s, p.avail[s], null);
    }
    ds.sort((a, b) -> util[a] != util[b] ? Double.compare(util[b], util[a]) : p.domains.get(a).compareTo(p.domains.get(b)));
    return ds;
  }

  /**
   * First-fit-decreasing of all bundles into the slots of domain {@code d}; null if they do not fit.
   * {@code have} is indexed by slot, or (when {@code local}) by position within the domain.
   */
  private static Map<Integer, Integer> fillDomain(PlacementProblem p, int d, long[][] have, boolean local) {
    List<Integer> ss = p.slotsOfDomain.get(d);
    long[][] left = new long[ss.size()][];
    for (int k = 0; k < ss.size(); k++) {
      long[] h = have[local ? k : ss.get(k)];
      if (h == null) {
        return null;
      }
      left[k] = h.clone();
    }
    Map<Integer, Integer> placed = new HashMap<>();
    for (int b : p.order) {
      int chosen = -1;
      for (int k = 0; k < ss.size(); k++) {
        if (p.labelsOk(b, ss.get(k)) && PlacementProblem.fits(p.need[b], left[k])) {
          chosen = k;
          break;
        }
      }
      if (chosen < 0) {
        return null;
      }
      PlacementProblem.take(left[chosen], p.need[b]);
      placed.put(b, ss.get(chosen));
    }
    return placed;
  }

  // ---- PACK ----

  private static BundlePlacement pack(PlacementProblem p) {
    if (p.table.singleSlotDomains && p.fixedDomains.isEmpty()) {
      int best = bestPackSlot(p, sumOfNeeds(p));
      return best >= 0 ? placedResult(p, allOn(p, best)) : greedy(p, true);
    }
    for (int d : packDomains(p)) {
      Map<Integer, Integer> placed = fillDomain(p, d, p.avail, false);
      if (placed != null) {
        return placedResult(p, placed);
      }
    }
    return greedy(p, true);
  }

  // ---- SPREAD ----

  private static BundlePlacement spread(PlacementProblem p) {
    return greedy(p, false);
  }

  /**
   * One bundle at a time. Pack: a used domain (tightest fit) else the roomiest slot. Spread: an unused
   * domain (roomiest) else any (roomiest).
   */
  private static BundlePlacement greedy(PlacementProblem p, boolean packing) {
    PlacementProblem.Have have = p.have();
    boolean[] used = fixedDomainFlags(p);
    Map<Integer, Integer> placed = new HashMap<>();
    for (int b : p.order) {
      int chosen = -1;
      double chosenUtil = 0;
      int chosenTier = Integer.MAX_VALUE;
      for (int s = 0; s < p.slotCount(); s++) {
        double u = p.utilIfFits(b, s, have);
        if (Double.isNaN(u)) {
          continue;
        }
        boolean inUsed = used[p.domainOf[s]];
        int tier = packing ? (inUsed ? 0 : 1) : (inUsed ? 1 : 0);
        // In a used domain while packing, prefer the fullest; elsewhere the emptiest.
        double score = packing && inUsed ? -u : u;
        if (tier < chosenTier || (tier == chosenTier && score < chosenUtil)) {
          chosen = s;
          chosenTier = tier;
          chosenUtil = score;
        }
      }
      if (chosen < 0) {
        return new BundlePlacement.Wait(p.request.strategy() + ": " + p.bundleText(b) + " does not fit now: "
            + p.whereShort(b, have.rows()));
      }
      have.take(chosen, p.need[b]);
      used[p.domainOf[chosen]] = true;
      placed.put(b, chosen);
    }
    return placedResult(p, placed);
  }

  // ---- STRICT_SPREAD ----

  /**
   * Greedy on what is free first (emptiest distinct domain per bundle); when that fails, a matching by
   * totals decides infeasible vs wait, and a matching on what is free may still place it. A greedy
   * success implies a matching by totals exists (free never exceeds total), so it is not computed then.
   */
  private static BundlePlacement strictSpread(PlacementProblem p) {
    int needed = p.order.size();
    PlacementProblem.Have have = p.have();
    boolean[] used = fixedDomainFlags(p);
    Map<Integer, Integer> placed = new HashMap<>();
    for (int b : p.order) {
      int chosen = -1;
      double best = Double.MAX_VALUE;
      for (int s = 0; s < p.slotCount(); s++) {
        if (used[p.domainOf[s]]) {
          continue;
        }
        double u = p.utilIfFits(b, s, have);
        if (u < best) {
          best = u;
          chosen = s;
        }
      }
      if (chosen < 0) {
        placed = null;
        break;
      }
      have.take(chosen, p.need[b]);
      used[p.domainOf[chosen]] = true;
      placed.put(b, chosen);
    }
    if (placed != null) {
      return placedResult(p, placed);
    }
    if (DomainMatcher.match(p, p.total) == null) {
      int usable = countUsableDomains(p, p.total);
      return new BundlePlacement.Infeasible("STRICT_SPREAD: " + needed + " bundle(s) need " + needed
          + " distinct nodes" + (p.fixedDomains.isEmpty() ? "" : " other than those of the kept bundles")
          + ", but only " + usable + " live node(s) can hold them");
    }
    placed = DomainMatcher.match(p, p.avail);
    if (placed == null) {
      int usable = countUsableDomains(p, p.avail);
      return new BundlePlacement.Wait("STRICT_SPREAD: " + needed + " bundle(s) need " + needed
          + " distinct nodes with room, but only " + usable + " node(s) have room for them now");
    }
    return placedResult(p, placed);
  }

  private static boolean[] fixedDomainFlags(PlacementProblem p) {
    boolean[] used = new boolean[p.domains.size()];
    for (int d : p.fixedDomains) {
      used[d] = true;
    }
    return used;
  }

  private static int countUsableDomains(PlacementProblem p, long[][] have) {
    Set<Integer> ds = new HashSet<>();
    for (int s = 0; s < p.slotCount(); s++) {
      if (p.isFixed(p.domainOf[s])) {
        continue;
      }
      for (int b : p.order) {
        if (p.labelsOk(b, s) && PlacementProblem.fits(p.need[b], have[s])) {
          ds.add(p.domainOf[s]);
          break;
        }
      }
    }
    return ds.size();
  }

  // ---- helpers ----

  private static BundlePlacement placedResult(PlacementProblem p, Map<Integer, Integer> slotOf) {
    Map<Integer, NodeId> nodes = new HashMap<>();
    slotOf.forEach((b, s) -> nodes.put(b, p.nodeOf(s)));
    return new BundlePlacement.Placed(nodes, slotOf);
  }

  private static ResourceSet sum(PlacementProblem p) {
    ResourceSet r = ResourceSet.EMPTY;
    for (int b : p.order) {
      r = r.plus(p.request.bundles().get(b).resources());
    }
    return r;
  }

  private static String roomiest(PlacementProblem p, List<Integer> domains) {
    int best = -1;
    double bestU = Double.MAX_VALUE;
    for (int d : domains) {
      int s = p.slotsOfDomain.get(d).get(0);
      double u = p.utilisationAfter(s, p.avail[s], null);
      if (u < bestU) {
        bestU = u;
        best = s;
      }
    }
    return best < 0 ? "no candidate node" : "roomiest: " + p.slotLabel(best) + " with "
        + p.text(p.avail[best]) + " free";
  }
}
