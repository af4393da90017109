package io.troupe.runtime.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.testkit.PropertyTimeout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Timeout;

/**
 * The policy's one-pass paths for one-slot domains (PACK / STRICT_PACK pick the busiest node that
 * holds every bundle without sorting the nodes; the live-node table is read without copying) give
 * the answers of the straightforward definitions, written out here: sort the nodes busiest first
 * (NodeId on ties) and take the first that holds all bundles by first-fit; the table path equals the
 * slot-list path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@PropertyTimeout(seconds = 120)
class PolicyFastPathPropertyTest {
  private final BundleSchedulingPolicy policy = new BundleSchedulingPolicy();

  @Property(tries = 200)
  void packPicksTheBusiestNodeThatHoldsEverything(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Slot> slots = randomNodes(r);
    for (PlacementStrategy strategy : List.of(PlacementStrategy.PACK, PlacementStrategy.STRICT_PACK)) {
      PlacementRequest req = PlacementRequest.fresh(randomBundles(r), strategy);
      BundlePlacement got = policy.place(req, slots);
      int expected = busiestHoldingAll(req, slots);
      if (expected >= 0) {
        assertThat(got).as("%s over %s", req, slots).isInstanceOfSatisfying(BundlePlacement.Placed.class,
            p -> assertThat(p.slots().values()).as("%s over %s", req, slots).containsOnly(expected));
      } else if (strategy == PlacementStrategy.STRICT_PACK) {
        assertThat(got).isNotInstanceOf(BundlePlacement.Placed.class);
      } else if (got instanceof BundlePlacement.Placed p) {
        assertThat(p.slots().values().stream().distinct().count()).as("spilled over nodes").isGreaterThan(1);
      }
    }
  }

  @Property(tries = 200)
  void theLiveTableGivesTheSameAnswersAsTheSlotList(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    ClusterView view = new ClusterView();
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      ResourceSet total = r.nextBoolean() ? ResourceSet.of("CPU", 8, "GPU", 4) : ResourceSet.of("CPU", 4);
      view.add(NodeId.of("n" + i), total, r.nextBoolean() ? Map.of("zone", "a") : Map.of("zone", "b"));
    }
    for (int k = 0; k < 10; k++) {
      NodeId node = NodeId.of("n" + r.nextInt(n));
      switch (r.nextInt(4)) {
        case 0 -> view.reserve(node, ResourceSet.of("CPU", 1 + r.nextInt(3)));
        case 1 -> view.unreserve(node, ResourceSet.of("CPU", 1 + r.nextInt(3), "GPU", r.nextInt(2)));
        case 2 -> view.setExternalUsage(node, ResourceSet.of("CPU", r.nextInt(3)));
        default -> {
          if (r.nextInt(4) == 0) {
            view.markDead(node);
          }
        }
      }
      for (PlacementStrategy s : PlacementStrategy.values()) {
        PlacementRequest req = PlacementRequest.fresh(randomBundles(r), s);
        BundlePlacement viaTable = policy.place(req, view.table());
        BundlePlacement viaViews = policy.schedule(req, view.views());
        assertThat(viaTable).as("%s", req).isEqualTo(viaViews);
      }
    }
  }

  private static List<Slot> randomNodes(SplittableRandom r) {
    int n = 1 + r.nextInt(8);
    List<Slot> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int cpu = 2 + r.nextInt(7);
      int gpu = r.nextInt(3);
      ResourceSet total = gpu == 0 ? ResourceSet.of("CPU", cpu) : ResourceSet.of("CPU", cpu, "GPU", gpu);
      int freeCpu = r.nextInt(cpu + 1);
      int freeGpu = gpu == 0 ? 0 : r.nextInt(gpu + 1);
      ResourceSet free = freeGpu == 0 ? ResourceSet.of("CPU", freeCpu) : ResourceSet.of("CPU", freeCpu, "GPU", freeGpu);
      // NodeIds out of joining order, so ties are broken by id, not by position.
      NodeId id = NodeId.of("n" + (char) ('a' + r.nextInt(26)) + i);
      slots.add(new Slot("node " + id, id, r.nextBoolean() ? Map.of("zone", "a") : Map.of(), total, free));
    }
    return slots;
  }

  private static List<Bundle> randomBundles(SplittableRandom r) {
    List<Bundle> bs = new ArrayList<>();
    int k = 1 + r.nextInt(3);
    for (int i = 0; i < k; i++) {
      Bundle b = Bundle.of(r.nextInt(3) == 0 ? ResourceSet.of("CPU", 1 + r.nextInt(2), "GPU", 1)
          : ResourceSet.of("CPU", 1 + r.nextInt(3)));
      bs.add(r.nextInt(4) == 0 ? b.withLabels(Map.of("zone", "a")) : b);
    }
    return bs;
  }

  /** The definition: nodes busiest first (NodeId on ties), the first one that takes every bundle by first fit. */
  private static int busiestHoldingAll(PlacementRequest req, List<Slot> slots) {
    List<Integer> order = new ArrayList<>();
    Map<Integer, Double> util = new HashMap<>();
    for (int s = 0; s < slots.size(); s++) {
      order.add(s);
      util.put(s, utilisation(req, slots.get(s)));
    }
    order.sort(Comparator.comparing((Integer s) -> -util.get(s)).thenComparing(s -> slots.get(s).node()));
    for (int s : order) {
      ResourceSet left = slots.get(s).available();
      boolean ok = true;
      for (Bundle b : req.bundles()) {
        if (!io.troupe.runtime.scheduling.LabelMatcher.matches(b.labelSelector(), slots.get(s).labels())
            || !b.resources().fitsIn(left)) {
          ok = false;
          break;
        }
        left = left.minus(b.resources());
      }
      if (ok) {
        return s;
      }
    }
    return -1;
  }

  /** Highest used/total over the resources the request names. */
  private static double utilisation(PlacementRequest req, Slot slot) {
    double max = 0;
    for (Bundle b : req.bundles()) {
      for (String name : b.resources().names()) {
        long t = slot.total().units(name);
        if (t > 0) {
          max = Math.max(max, (t - slot.available().units(name)) / (double) t);
        }
      }
    }
    return max;
  }
}
