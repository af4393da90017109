package io.troupe.runtime.placement;

import static io.troupe.runtime.placement.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.scheduling.NodeView;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BundleSchedulingPolicyTest {
  private final BundleSchedulingPolicy policy = new BundleSchedulingPolicy();

  private BundlePlacement fresh(List<Bundle> bs, PlacementStrategy s, List<NodeView> ns) {
    return policy.schedule(PlacementRequest.fresh(bs, s), ns);
  }

  private static Map<Integer, NodeId> placed(BundlePlacement p) {
    assertThat(p).isInstanceOf(BundlePlacement.Placed.class);
    return ((BundlePlacement.Placed) p).nodes();
  }

  @Test
  void strictPackPutsEverythingOnOneNodeOrWaitsOrIsInfeasible() {
    List<NodeView> ns = List.of(node("a", 4, 0), node("b", 8, 0));
    assertThat(new HashSet<>(placed(fresh(bundles(3, cpu(2)), PlacementStrategy.STRICT_PACK, ns)).values()))
        .containsExactly(NodeId.of("b"));
    List<NodeView> busy = List.of(node("a", 4, 0), used(node("b", 8, 0), ResourceSet.of("CPU", 4)));
    assertThat(fresh(bundles(3, cpu(2)), PlacementStrategy.STRICT_PACK, busy))
        .isInstanceOfSatisfying(BundlePlacement.Wait.class, w -> assertThat(w.reason()).contains("fit no single node now"));
    assertThat(fresh(bundles(5, cpu(2)), PlacementStrategy.STRICT_PACK, ns))
        .isInstanceOfSatisfying(BundlePlacement.Infeasible.class, i -> assertThat(i.reason()).contains("every single node"));
  }

  @Test
  void packSpillsWhenNoSingleNodeHasRoom() {
    List<NodeView> ns = List.of(node("a", 4, 0), node("b", 4, 0));
    Map<Integer, NodeId> p = placed(fresh(bundles(3, cpu(2)), PlacementStrategy.PACK, ns));
    assertThat(p).hasSize(3);
    assertThat(new HashSet<>(p.values())).hasSize(2);
    assertThat(new HashSet<>(placed(fresh(bundles(2, cpu(2)), PlacementStrategy.PACK, ns)).values())).hasSize(1);
    assertThat(fresh(bundles(5, cpu(2)), PlacementStrategy.PACK, ns)).isInstanceOf(BundlePlacement.Wait.class);
  }

  @Test
  void strictSpreadNeedsDistinctNodes() {
    List<NodeView> ns = nodes(3, 4, 0);
    assertThat(new HashSet<>(placed(fresh(bundles(3, cpu(1)), PlacementStrategy.STRICT_SPREAD, ns)).values())).hasSize(3);
    assertThat(fresh(bundles(4, cpu(1)), PlacementStrategy.STRICT_SPREAD, ns))
        .isInstanceOfSatisfying(BundlePlacement.Infeasible.class, i -> assertThat(i.reason()).contains("only 3 live node"));
    List<NodeView> busy = List.of(ns.get(0), ns.get(1), used(ns.get(2), ResourceSet.of("CPU", 4)));
    assertThat(fresh(bundles(3, cpu(1)), PlacementStrategy.STRICT_SPREAD, busy)).isInstanceOf(BundlePlacement.Wait.class);
  }

  @Test
  void strictSpreadFindsAMatchingWhereGreedyWouldFail() {
    // Bundle 0 (GPU) can only go to g; bundle 1 (3 CPU) fits g or c1. Greedy by scarcity must not block.
    List<NodeView> ns = List.of(node("g", 4, 1), node("c1", 3, 0));
    Map<Integer, NodeId> p = placed(fresh(List.of(cpu(3), cpuGpu(1, 1)), PlacementStrategy.STRICT_SPREAD, ns));
    assertThat(p).containsEntry(1, NodeId.of("g")).containsEntry(0, NodeId.of("c1"));
  }

  @Test
  void spreadPrefersDistinctNodesButSharesWhenShort() {
    List<NodeView> ns = nodes(2, 8, 0);
    assertThat(new HashSet<>(placed(fresh(bundles(2, cpu(1)), PlacementStrategy.SPREAD, ns)).values())).hasSize(2);
    Map<Integer, NodeId> p = placed(fresh(bundles(4, cpu(1)), PlacementStrategy.SPREAD, ns));
    assertThat(p).hasSize(4);
    assertThat(new HashSet<>(p.values())).hasSize(2);
  }

  @Test
  void scarceResourcesArePlacedFirst() {
    // One GPU node with room for one bundle of 2 CPU: the GPU bundle must get it even though listed last.
    List<NodeView> ns = List.of(node("gpu", 2, 1), node("cpu", 2, 0));
    Map<Integer, NodeId> p = placed(fresh(List.of(cpu(2), cpuGpu(2, 1)), PlacementStrategy.SPREAD, ns));
    assertThat(p).containsEntry(1, NodeId.of("gpu")).containsEntry(0, NodeId.of("cpu"));
  }

  @Test
  void infeasibleByTotalsNamesTheBundleAndWaitNamesWhere() {
    List<NodeView> ns = List.of(node("a", 4, 2));
    assertThat(fresh(List.of(cpuGpu(1, 4)), PlacementStrategy.PACK, ns))
        .isInstanceOfSatisfying(BundlePlacement.Infeasible.class,
            i -> assertThat(i.reason()).contains("bundle 0").contains("GPU: 4").contains("node a"));
    List<NodeView> busy = List.of(used(node("a", 4, 2), ResourceSet.of("GPU", 2)));
    assertThat(fresh(List.of(cpuGpu(1, 1)), PlacementStrategy.PACK, busy))
        .isInstanceOfSatisfying(BundlePlacement.Wait.class,
            w -> assertThat(w.reason()).contains("bundle 0").contains("node a has"));
  }

  @Test
  void labelSelectorsMustMatch() {
    List<NodeView> ns = List.of(node("a", 4, 1, Map.of("accelerator", "A10")), node("b", 4, 1, Map.of("accelerator", "H100")));
    Bundle h100 = cpuGpu(1, 1).withLabels(Map.of("accelerator", "H100"));
    assertThat(placed(fresh(List.of(h100), PlacementStrategy.PACK, ns))).containsEntry(0, NodeId.of("b"));
    assertThat(fresh(List.of(cpu(1).withLabels(Map.of("zone", "eu"))), PlacementStrategy.PACK, ns))
        .isInstanceOfSatisfying(BundlePlacement.Infeasible.class, i -> assertThat(i.reason()).contains("labels"));
  }

  @Test
  void deadNodesAreIgnored() {
    NodeView dead = new NodeView(NodeId.of("d"), false, Map.of(), ResourceSet.of("CPU", 64), ResourceSet.of("CPU", 64));
    assertThat(fresh(List.of(cpu(8)), PlacementStrategy.PACK, List.of(dead, node("a", 4, 0))))
        .isInstanceOf(BundlePlacement.Infeasible.class);
  }

  @Test
  void lostBundlesHonourTheStrategyAgainstSurvivors() {
    List<NodeView> ns = nodes(4, 4, 0);
    List<Bundle> bs = bundles(3, cpu(1));
    Map<Integer, NodeId> kept = Map.of(0, ns.get(0).nodeId(), 1, ns.get(1).nodeId());
    Map<Integer, NodeId> p = placed(policy.schedule(
        PlacementRequest.lost(bs, PlacementStrategy.STRICT_SPREAD, kept, Set.of(2)), ns));
    assertThat(p.get(2)).isIn(ns.get(2).nodeId(), ns.get(3).nodeId());
    Map<Integer, NodeId> packed = placed(policy.schedule(
        PlacementRequest.lost(bs, PlacementStrategy.STRICT_PACK, Map.of(0, ns.get(3).nodeId()), Set.of(1, 2)), ns));
    assertThat(packed.values()).containsOnly(ns.get(3).nodeId());
    Map<Integer, NodeId> pack = placed(policy.schedule(
        PlacementRequest.lost(bs, PlacementStrategy.PACK, Map.of(0, ns.get(2).nodeId()), Set.of(1)), ns));
    assertThat(pack.get(1)).isEqualTo(ns.get(2).nodeId());
    // Only survivors' nodes and one more alive: STRICT_SPREAD of 2 lost bundles is infeasible.
    assertThat(policy.schedule(PlacementRequest.lost(bs, PlacementStrategy.STRICT_SPREAD,
        Map.of(0, ns.get(0).nodeId()), Set.of(1, 2)), ns.subList(0, 2))).isInstanceOf(BundlePlacement.Infeasible.class);
  }

  @Test
  void handlesAThousandNodesAndFortyBundlesQuickly() {
    List<NodeView> ns = nodes(1000, 16, 8);
    List<Bundle> bs = bundles(40, cpuGpu(1, 1));
    long t0 = System.nanoTime();
    for (PlacementStrategy s : PlacementStrategy.values()) {
      for (int i = 0; i < 20; i++) {
        assertThat(fresh(bs, s, ns)).isInstanceOf(s == PlacementStrategy.STRICT_PACK
            ? BundlePlacement.Infeasible.class : BundlePlacement.Placed.class);
      }
    }
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20.0); // generous: shared CI cores
  }
}
