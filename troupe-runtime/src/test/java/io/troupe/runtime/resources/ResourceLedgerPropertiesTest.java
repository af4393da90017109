package io.troupe.runtime.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ResourceSet;
import io.troupe.testkit.PropertyTimeout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of allocate/release on a node ledger and on a ledger over one of its
 * allocations: nothing is ever over-committed, no GPU id is handed out beyond its capacity, and
 * releasing everything gives the totals back.
 */
@PropertyTimeout(seconds = 60)
class ResourceLedgerPropertiesTest {
  private static final double[] GPU_DEMANDS = {0, 0, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 1, 1.5, 2, 3, 5};

  @Property(tries = 300)
  void randomAllocateAndReleaseNeverOverCommits(@ForAll @IntRange(min = 0, max = 6) int gpus,
      @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
    List<String> ids = IntStream.range(0, gpus).mapToObj(i -> "gpu" + i).toList();
    ResourceSet total = ResourceSet.of(Map.of("CPU", 8, "GPU", gpus, "memory", 1000));
    run(new ResourceLedger(total, ids), ops);
  }

  @Property(tries = 200)
  void theSameHoldsInsideALedgerOverAnAllocation(@ForAll @IntRange(min = 0, max = 12) int bundleGpuIndex,
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
    ResourceLedger node = new ResourceLedger(ResourceSet.of("CPU", 16, "GPU", 4), List.of("0", "1", "2", "3"));
    node.allocate(ResourceSet.of("GPU", 0.3)).orElseThrow();
    double g = GPU_DEMANDS[bundleGpuIndex];
    Allocation bundle = node.allocate(ResourceSet.of("CPU", 8, "GPU", g)).orElse(null);
    if (bundle == null) {
      return; // e.g. 1.5 GPUs: not a valid bundle
    }
    ResourceLedger sub = ResourceLedger.over(bundle);
    run(sub, ops);
    node.release(bundle);
  }

  private static void run(ResourceLedger ledger, List<Integer> ops) {
    List<Allocation> held = new ArrayList<>();
    for (int op : ops) {
      if (op % 3 == 0 && !held.isEmpty()) {
        ledger.release(held.remove((op / 3) % held.size()));
      } else {
        ResourceSet demand = demand(op);
        boolean fitted = ledger.fitsNow(demand);
        Optional<Allocation> a = ledger.allocate(demand);
        assertThat(a.isPresent()).as("fitsNow agrees with allocate for %s on %s", demand, ledger).isEqualTo(fitted);
        if (a.isPresent()) {
          assertThat(ledger.feasible(demand)).isTrue();
          assertThat(ledger.infeasibility(demand)).isEmpty();
          checkAllocation(ledger, demand, a.get());
          held.add(a.get());
        }
      }
      checkInvariants(ledger, held);
    }
    for (Allocation a : held) {
      ledger.release(a);
    }
    assertThat(ledger.available()).isEqualTo(ledger.total());
    Map<String, Long> cap = capacities(ledger);
    assertThat(ledger.gpuFree()).isEqualTo(cap);
  }

  private static ResourceSet demand(int op) {
    double cpu = (op / 7 % 9) * 0.5;
    double gpu = GPU_DEMANDS[op / 71 % GPU_DEMANDS.length];
    double mem = op / 997 % 3 == 0 ? 0 : op / 3 % 400;
    return ResourceSet.of(Map.of("CPU", cpu, "GPU", gpu, "memory", mem));
  }

  private static void checkAllocation(ResourceLedger ledger, ResourceSet demand, Allocation a) {
    assertThat(a.resources()).isEqualTo(demand);
    assertThat(ledger.gpuIds()).containsAll(a.gpuIds());
    long g = demand.units("GPU");
    assertThat(a.gpuUnits().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(g);
    if (g >= ResourceSet.UNIT) {
      assertThat(g % ResourceSet.UNIT).isZero();
      assertThat(a.gpuUnits().values()).containsOnly(ResourceSet.UNIT);
    } else if (g > 0) {
      assertThat(a.gpuUnits()).hasSize(1);
    }
  }

  private static void checkInvariants(ResourceLedger ledger, List<Allocation> held) {
    ResourceSet used = ResourceSet.EMPTY;
    Map<String, Long> gpuUsed = new HashMap<>();
    for (Allocation a : held) {
      used = used.plus(a.resources());
      a.gpuUnits().forEach((id, u) -> gpuUsed.merge(id, u, Long::sum));
    }
    assertThat(used.fitsIn(ledger.total())).as("never over-committed").isTrue();
    assertThat(ledger.available().plus(used)).isEqualTo(ledger.total());
    Map<String, Long> cap = capacities(ledger);
    assertThat(cap.keySet()).containsAll(gpuUsed.keySet());
    ledger.gpuFree().forEach((id, free) -> {
      long u = gpuUsed.getOrDefault(id, 0L);
      assertThat(free).as("free on GPU %s", id).isBetween(0L, cap.get(id));
      assertThat(free + u).as("GPU %s free + held = capacity", id).isEqualTo(cap.get(id));
    });
    assertThat(ledger.gpuFree().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(ledger.available().units("GPU"));
  }

  /** Capacity per GPU id: what a fresh ledger over the same totals would have free. */
  private static Map<String, Long> capacities(ResourceLedger ledger) {
    Map<String, Long> cap = new HashMap<>();
    long total = ledger.total().units("GPU");
    int n = ledger.gpuIds().size();
    for (String id : ledger.gpuIds()) {
      cap.put(id, total / n);
    }
    return cap;
  }
}
