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
    PlacementProblem p = new PlacementProblem(request, slots);
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
      for (int s = 0; s < p.slots.size() && !ok; s++) {
        if (p.labelsOk(b, s)) {
          labelMatch = true;
          ok = PlacementProblem.fits(p.need[b], p.total[s]);
        }
      }
      if (!ok) {
        if (p.slots.isEmpty()) {
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
    for (int s = 0; s < p.slots.size(); s++) {
      if (p.labelsOk(b, s) && (best < 0 || Arrays.stream(p.total[s]).sum() > Arrays.stream(p.total[best]).sum())) {
        best = s;
      }
    }
    return best < 0 ? "" : " (largest: " + p.slots.get(best).label() + " with total " + p.slots.get(best).total() + ")";
  }

  // ---- STRICT_PACK and the single-domain attempt of PACK ----

  private static BundlePlacement strictPack(PlacementProblem p) {
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
    long[][] have = p.copyAvail();
    Set<Integer> used = new HashSet<>(p.fixedDomains);
    Map<Integer, Integer> placed = new HashMap<>();
    for (int b : p.order) {
      int chosen = -1;
      double chosenUtil = 0;
      int chosenTier = Integer.MAX_VALUE;
      for (int s = 0; s < p.slots.size(); s++) {
        if (!p.labelsOk(b, s) || !PlacementProblem.fits(p.need[b], have[s])) {
          continue;
        }
        boolean inUsed = used.contains(p.domainOf[s]);
        int tier = packing ? (inUsed ? 0 : 1) : (inUsed ? 1 : 0);
        double u = p.utilisationAfter(s, have[s], p.need[b]);
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
            + p.whereShort(b, have));
      }
      PlacementProblem.take(have[chosen], p.need[b]);
      used.add(p.domainOf[chosen]);
      placed.put(b, chosen);
    }
    return placedResult(p, placed);
  }

  // ---- STRICT_SPREAD ----

  private static BundlePlacement strictSpread(PlacementProblem p) {
    int needed = p.order.size();
    Map<Integer, Integer> byTotals = DomainMatcher.match(p, p.total);
    if (byTotals == null) {
      int usable = countUsableDomains(p, p.total);
      return new BundlePlacement.Infeasible("STRICT_SPREAD: " + needed + " bundle(s) need " + needed
          + " distinct nodes" + (p.fixedDomains.isEmpty() ? "" : " other than those of the kept bundles")
          + ", but only " + usable + " live node(s) can hold them");
    }
    long[][] have = p.copyAvail();
    Set<Integer> used = new HashSet<>(p.fixedDomains);
    Map<Integer, Integer> placed = new HashMap<>();
    for (int b : p.order) {
      int chosen = -1;
      double best = Double.MAX_VALUE;
      for (int s = 0; s < p.slots.size(); s++) {
        if (used.contains(p.domainOf[s]) || !p.labelsOk(b, s) || !PlacementProblem.fits(p.need[b], have[s])) {
          continue;
        }
        double u = p.utilisationAfter(s, have[s], p.need[b]);
        if (u < best) {
          best = u;
          chosen = s;
        }
      }
      if (chosen < 0) {
        placed = null;
        break;
      }
      PlacementProblem.take(have[chosen], p.need[b]);
      used.add(p.domainOf[chosen]);
      placed.put(b, chosen);
    }
    if (placed == null) {
      placed = DomainMatcher.match(p, p.avail);
    }
    if (placed == null) {
      int usable = countUsableDomains(p, p.avail);
      return new BundlePlacement.Wait("STRICT_SPREAD: " + needed + " bundle(s) need " + needed
          + " distinct nodes with room, but only " + usable + " node(s) have room for them now");
    }
    return placedResult(p, placed);
  }

  private static int countUsableDomains(PlacementProblem p, long[][] have) {
    Set<Integer> ds = new HashSet<>();
    for (int s = 0; s < p.slots.size(); s++) {
      if (p.fixedDomains.contains(p.domainOf[s])) {
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
    slotOf.forEach((b, s) -> nodes.put(b, p.slots.get(s).node()));
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
    return best < 0 ? "no candidate node" : "roomiest: " + p.slots.get(best).label() + " with "
        + p.text(p.avail[best]) + " free";
  }
}
