package io.troupe.runtime.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BinPackingTest {
  private static final Bundle GPU1 = Bundle.of(Map.of("GPU", 1));
  private static final NodeCapacity HEAD = new NodeCapacity("head", Optional.empty(), ResourceSet.of("CPU", 4),
      ResourceSet.of("CPU", 4), Map.of());

  private static NodeType type(String name, Map<String, ? extends Number> r, int max, Map<String, String> labels) {
    return new NodeType(name, ResourceSet.of(r), labels, 0, max, Map.of());
  }

  private static Map<String, NodeType> types(NodeType... ts) {
    Map<String, NodeType> m = new LinkedHashMap<>();
    for (NodeType t : ts) {
      m.put(t.name(), t);
    }
    return m;
  }

  private static Demand group(PlacementStrategy s, Bundle... bs) {
    return new Demand("pg", List.of(bs), s);
  }

  private final Map<String, NodeType> gpuAndCpu = types(type("gpu", Map.of("CPU", 2, "GPU", 1), 4, Map.of()),
      type("cpu", Map.of("CPU", 8), 4, Map.of()));

  @Test
  void strictSpreadLaunchesOneNodePerBundle() {
    BinPacking.Plan p = BinPacking.plan(List.of(group(PlacementStrategy.STRICT_SPREAD, GPU1, GPU1)), List.of(HEAD),
        gpuAndCpu, Map.of(), 10);
    assertThat(p.launches()).isEqualTo(Map.of("gpu", 2));
    assertThat(p.infeasible()).isEmpty();
  }

  @Test
  void strictPackNeedsOneNodeThatHoldsTheSum() {
    BinPacking.Plan none = BinPacking.plan(List.of(group(PlacementStrategy.STRICT_PACK, GPU1, GPU1)), List.of(HEAD),
        gpuAndCpu, Map.of(), 10);
    assertThat(none.launches()).isEmpty();
    assertThat(none.infeasible()).singleElement().satisfies(u -> assertThat(u.reason())
        .contains("no node type").contains("{GPU: 2}").contains("STRICT_PACK"));
    Map<String, NodeType> withBig = new LinkedHashMap<>(gpuAndCpu);
    withBig.put("gpu2", type("gpu2", Map.of("CPU", 4, "GPU", 2), 2, Map.of()));
    BinPacking.Plan p = BinPacking.plan(List.of(group(PlacementStrategy.STRICT_PACK, GPU1, GPU1)), List.of(HEAD),
        withBig, Map.of(), 10);
    assertThat(p.launches()).isEqualTo(Map.of("gpu2", 1));
  }

  @Test
  void freeRoomOnLiveAndLaunchingNodesIsUsedFirst() {
    Demand cpu2 = Demand.actor("actor", Bundle.of(Map.of("CPU", 2)));
    assertThat(BinPacking.plan(List.of(cpu2, cpu2), List.of(HEAD), gpuAndCpu, Map.of(), 10).launches()).isEmpty();
    NodeCapacity launching = new NodeCapacity("launch-1", Optional.of("gpu"), ResourceSet.of(Map.of("CPU", 2, "GPU", 1)),
        ResourceSet.of(Map.of("CPU", 2, "GPU", 1)), Map.of("troupe.io/node-type", "gpu"));
    BinPacking.Plan p = BinPacking.plan(List.of(group(PlacementStrategy.STRICT_SPREAD, GPU1, GPU1)),
        List.of(HEAD, launching), gpuAndCpu, Map.of("gpu", 1), 10);
    assertThat(p.launches()).isEqualTo(Map.of("gpu", 1)); // one is already on its way
  }

  @Test
  void cpuWorkDoesNotTakeAGpuNodeWhenACpuNodeFits() {
    Demand cpu6 = Demand.actor("actor", Bundle.of(Map.of("CPU", 6)));
    Demand cpu1 = Demand.actor("actor", Bundle.of(Map.of("CPU", 1)));
    NodeCapacity full = new NodeCapacity("head", Optional.empty(), ResourceSet.of("CPU", 4), ResourceSet.EMPTY,
        Map.of());
    assertThat(BinPacking.plan(List.of(cpu6), List.of(full), gpuAndCpu, Map.of(), 10).launches())
        .isEqualTo(Map.of("cpu", 1));
    assertThat(BinPacking.plan(List.of(cpu1), List.of(full), gpuAndCpu, Map.of(), 10).launches())
        .isEqualTo(Map.of("cpu", 1));
  }

  @Test
  void labelSelectorsPickTheMatchingType() {
    Map<String, NodeType> ts = types(type("a100", Map.of("GPU", 1), 2, Map.of("accelerator", "A100")),
        type("h100", Map.of("GPU", 1), 2, Map.of("accelerator", "H100")));
    Bundle h = GPU1.withLabels(Map.of("accelerator", "H100"));
    assertThat(BinPacking.plan(List.of(group(PlacementStrategy.PACK, h)), List.of(HEAD), ts, Map.of(), 10).launches())
        .isEqualTo(Map.of("h100", 1));
    Bundle byType = GPU1.withLabels(Map.of("troupe.io/node-type", "a100"));
    assertThat(BinPacking.plan(List.of(group(PlacementStrategy.PACK, byType)), List.of(HEAD), ts, Map.of(), 10)
        .launches()).isEqualTo(Map.of("a100", 1));
    Bundle tpu = GPU1.withLabels(Map.of("accelerator", "TPU"));
    assertThat(BinPacking.plan(List.of(group(PlacementStrategy.PACK, tpu)), List.of(HEAD), ts, Map.of(), 10)
        .infeasible()).singleElement().satisfies(u -> assertThat(u.reason()).contains("accelerator=TPU"));
  }

  @Test
  void limitsAreRespectedAndAStrictGroupIsAllOrNothing() {
    BinPacking.Plan p = BinPacking.plan(List.of(group(PlacementStrategy.STRICT_SPREAD, GPU1, GPU1, GPU1)),
        List.of(HEAD), gpuAndCpu, Map.of(), 2);
    assertThat(p.launches()).isEmpty(); // two nodes would not do: launch none
    assertThat(p.atLimit()).singleElement().satisfies(u -> assertThat(u.reason()).contains("max_workers"));
    BinPacking.Plan perType = BinPacking.plan(List.of(group(PlacementStrategy.PACK, GPU1, GPU1, GPU1)),
        List.of(HEAD), gpuAndCpu, Map.of("gpu", 3), 10);
    assertThat(perType.launches()).isEqualTo(Map.of("gpu", 1));
    assertThat(perType.atLimit()).hasSize(1);
  }

  @Test
  void aSpreadThatCanNeverHaveEnoughNodesIsInfeasible() {
    Map<String, NodeType> one = types(type("gpu", Map.of("GPU", 1), 1, Map.of()));
    BinPacking.Plan p = BinPacking.plan(List.of(group(PlacementStrategy.STRICT_SPREAD, GPU1, GPU1, GPU1)),
        List.of(HEAD), one, Map.of(), 10);
    assertThat(p.infeasible()).singleElement().satisfies(u -> assertThat(u.reason()).contains("3 distinct nodes"));
  }

  @Test
  void scarceDemandIsPlacedFirst() {
    // one gpu node allowed: the GPU actor gets it although the CPU actor came first
    Map<String, NodeType> ts = types(type("gpu", Map.of("CPU", 4, "GPU", 1), 1, Map.of()));
    Demand cpu = Demand.actor("cpu", Bundle.of(Map.of("CPU", 4)));
    Demand gpu = Demand.actor("gpu", Bundle.of(Map.of("CPU", 1, "GPU", 1)));
    NodeCapacity full = new NodeCapacity("head", Optional.empty(), ResourceSet.of("CPU", 4), ResourceSet.EMPTY,
        Map.of());
    BinPacking.Plan p = BinPacking.plan(List.of(cpu, gpu), List.of(full), ts, Map.of(), 10);
    assertThat(p.launches()).isEqualTo(Map.of("gpu", 1));
    assertThat(p.atLimit()).singleElement().satisfies(u -> assertThat(u.demand()).isEqualTo(cpu));
  }
}
