package io.troupe.runtime.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ResourceSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ResourceLedgerTest {
  private final ResourceLedger ledger = node(8, 4);

  static ResourceLedger node(double cpus, int gpus) {
    List<String> ids = IntStream.range(0, gpus).mapToObj(Integer::toString).toList();
    ResourceSet total = gpus == 0 ? ResourceSet.of("CPU", cpus) : ResourceSet.of("CPU", cpus, "GPU", gpus);
    return new ResourceLedger(total, ids);
  }

  static ResourceSet gpu(double g) {
    return ResourceSet.of("GPU", g);
  }

  private Allocation take(ResourceLedger l, ResourceSet demand) {
    return l.allocate(demand).orElseThrow(() -> new AssertionError(demand + " did not fit " + l));
  }

  @Test
  void gpuTotalMustMatchTheInstances() {
    assertThatThrownBy(() -> new ResourceLedger(ResourceSet.of("GPU", 2), List.of("0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    assertThatThrownBy(() -> new ResourceLedger(ResourceSet.of("CPU", 2), List.of("0")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wholeGpusTakeTheLowestFullyFreeIds() {
    Allocation a = take(ledger, gpu(1));
    Allocation b = take(ledger, gpu(2));
    assertThat(a.gpuIds()).containsExactly("0");
    assertThat(b.gpuIds()).containsExactly("1", "2");
    assertThat(b.gpuUnits()).containsOnly(Map.entry("1", ResourceSet.UNIT), Map.entry("2", ResourceSet.UNIT));
    ledger.release(a);
    assertThat(take(ledger, gpu(2)).gpuIds()).containsExactly("0", "3");
    assertThat(ledger.allocate(gpu(1))).isEmpty();
    assertThat(ledger.available().get("GPU")).isZero();
  }

  @Test
  void wholeGpusSkipPartlyUsedInstances() {
    Allocation frac = take(ledger, gpu(0.1));
    assertThat(frac.gpuIds()).containsExactly("0");
    assertThat(take(ledger, gpu(1)).gpuIds()).containsExactly("1");
    assertThat(take(ledger, gpu(2)).gpuIds()).containsExactly("2", "3");
    // 0.9 GPU is free in total, but no whole instance.
    assertThat(ledger.available().get("GPU")).isEqualTo(0.9);
    assertThat(ledger.allocate(gpu(0.9))).isPresent();
  }

  @Test
  void fractionsAreBestFit() {
    assertThat(take(ledger, gpu(0.5)).gpuIds()).containsExactly("0");
    assertThat(take(ledger, gpu(0.25)).gpuIds()).containsExactly("0");
    // GPU 0 has 0.25 free: too little for 0.5, so the next (fully free) instance takes it.
    assertThat(take(ledger, gpu(0.5)).gpuIds()).containsExactly("1");
    // 0.25 fits best on GPU 0 (exactly 0.25 free) rather than GPU 1 (0.5 free).
    Allocation exact = take(ledger, gpu(0.25));
    assertThat(exact.gpuIds()).containsExactly("0");
    assertThat(exact.gpuUnits()).containsExactly(Map.entry("0", 2_500L));
    assertThat(take(ledger, gpu(0.4)).gpuIds()).containsExactly("1");
    assertThat(ledger.gpuFree()).containsExactly(Map.entry("0", 0L), Map.entry("1", 1_000L),
        Map.entry("2", ResourceSet.UNIT), Map.entry("3", ResourceSet.UNIT));
  }

  @Test
  void gpuDemandsAboveOneMustBeWhole() {
    ResourceSet oneAndAHalf = gpu(1.5);
    assertThat(ledger.allocate(oneAndAHalf)).isEmpty();
    assertThat(ledger.available()).isEqualTo(ledger.total());
    assertThat(ledger.feasible(oneAndAHalf)).isFalse();
    assertThat(ledger.fitsNow(oneAndAHalf)).isFalse();
    assertThat(ledger.infeasibility(oneAndAHalf)).hasValue("a GPU demand above 1 must be a whole number, got 1.5");
  }

  @Test
  void feasibleIsAboutTotalsAndFitsNowAboutWhatIsFree() {
    ResourceSet big = ResourceSet.of("CPU", 8, "GPU", 4);
    Allocation all = take(ledger, big);
    assertThat(ledger.feasible(big)).isTrue();
    assertThat(ledger.fitsNow(big)).isFalse();
    assertThat(ledger.fitsNow(ResourceSet.of("CPU", 0.0001))).isFalse();
    assertThat(ledger.fitsNow(ResourceSet.EMPTY)).isTrue();
    assertThat(ledger.infeasibility(big)).isEmpty();
    ledger.release(all);
    assertThat(ledger.fitsNow(big)).isTrue();
  }

  @Test
  void fragmentedGpusDoNotFitAWholeDemandEvenWhenTheSumDoes() {
    ResourceLedger two = node(4, 2);
    take(two, gpu(0.6));
    take(two, gpu(0.6));
    assertThat(two.available().get("GPU")).isEqualTo(0.8);
    assertThat(two.fitsNow(gpu(0.5))).isFalse();
    assertThat(two.allocate(gpu(0.5))).isEmpty();
    assertThat(two.fitsNow(gpu(0.4))).isTrue();
    assertThat(two.feasible(gpu(1))).isTrue();
    assertThat(two.fitsNow(gpu(1))).isFalse();
  }

  @Test
  void infeasibilityNamesTheResourceAndTheTotal() {
    assertThat(ledger.infeasibility(ResourceSet.of("CPU", 9))).hasValue("CPU 9 > total 8");
    assertThat(ledger.infeasibility(gpu(5))).hasValue("GPU 5 > total 4");
    assertThat(ledger.infeasibility(ResourceSet.of("TPU", 0.5))).hasValue("TPU 0.5 > total 0");
    assertThat(ledger.feasible(ResourceSet.of("TPU", 0.5))).isFalse();
    assertThat(ledger.infeasibility(ResourceSet.of("CPU", 8, "GPU", 4))).isEmpty();
    assertThat(node(4, 0).feasible(gpu(0.1))).isFalse();
  }

  @Test
  void aFailedAllocationChangesNothing() {
    take(ledger, ResourceSet.of("CPU", 7));
    String before = ledger.toString();
    assertThat(ledger.allocate(ResourceSet.of("CPU", 2, "GPU", 1))).isEmpty();
    assertThat(ledger.allocate(ResourceSet.of("CPU", 1, "GPU", 5))).isEmpty();
    assertThat(ledger.toString()).isEqualTo(before);
  }

  @Test
  void releaseReturnsResourcesAndGpuCapacity() {
    Allocation a = take(ledger, ResourceSet.of("CPU", 2, "GPU", 0.5));
    Allocation b = take(ledger, ResourceSet.of("CPU", 1, "GPU", 2));
    ledger.release(a);
    ledger.release(b);
    assertThat(ledger.available()).isEqualTo(ledger.total());
    assertThat(ledger.gpuFree().values()).containsOnly(ResourceSet.UNIT);
  }

  @Test
  void releasingMoreThanWasTakenIsAnError() {
    Allocation a = take(ledger, ResourceSet.of("CPU", 2, "GPU", 1));
    ledger.release(a);
    assertThatThrownBy(() -> ledger.release(a))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("would exceed total");
    assertThat(ledger.available()).isEqualTo(ledger.total());
  }

  @Test
  void releasingGpusThisLedgerDoesNotHoldIsAnErrorAndChangesNothing() {
    Allocation held = take(ledger, ResourceSet.of("CPU", 1, "GPU", 2));
    assertThat(held.gpuIds()).containsExactly("0", "1");
    // Same quantities, but one id this ledger never handed out (and one it did).
    Map<String, Long> ids = new LinkedHashMap<>();
    ids.put("0", ResourceSet.UNIT);
    ids.put("7", ResourceSet.UNIT);
    Allocation foreign = new Allocation(ResourceSet.of("CPU", 1, "GPU", 2), ids);
    String before = ledger.toString();
    assertThatThrownBy(() -> ledger.release(foreign))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("GPU 7 not held");
    assertThat(ledger.toString()).isEqualTo(before);
    // A GPU that is free already cannot be released again.
    Allocation notTaken = new Allocation(gpu(1), Map.of("3", ResourceSet.UNIT));
    assertThatThrownBy(() -> ledger.release(notTaken))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("GPU 3 not held");
    assertThat(ledger.toString()).isEqualTo(before);
    ledger.release(held);
    assertThat(ledger.available()).isEqualTo(ledger.total());
  }

  @Test
  void gpuIdsAreInDeviceOrderNotStringOrder() {
    ResourceLedger twelve = node(12, 12);
    take(twelve, gpu(9));
    Allocation two = take(twelve, gpu(2));
    assertThat(two.gpuIds()).containsExactly("9", "10");
    ResourceLedger uuids = new ResourceLedger(gpu(2), List.of("GPU-f00", "GPU-a11"));
    assertThat(take(uuids, gpu(2)).gpuIds()).containsExactly("GPU-f00", "GPU-a11");
  }

  @Test
  void aLedgerOverAnAllocationHandsOutOnlyWhatTheAllocationHolds() {
    Allocation bundle = take(ledger, ResourceSet.of("CPU", 4, "GPU", 2));
    take(ledger, gpu(1));
    ResourceLedger sub = ResourceLedger.over(bundle);
    assertThat(sub.total()).isEqualTo(ResourceSet.of("CPU", 4, "GPU", 2));
    assertThat(sub.gpuIds()).containsExactly("0", "1");
    assertThat(take(sub, ResourceSet.of("CPU", 1, "GPU", 1)).gpuIds()).containsExactly("0");
    assertThat(take(sub, gpu(0.5)).gpuIds()).containsExactly("1");
    assertThat(sub.allocate(gpu(1))).isEmpty();
    assertThat(sub.feasible(gpu(3))).isFalse();
    assertThat(sub.infeasibility(ResourceSet.of("CPU", 5))).hasValue("CPU 5 > total 4");
  }

  @Test
  void aLedgerOverAFractionalGpuPacksFractionsButNeverAWholeGpu() {
    Allocation half = take(ledger, gpu(0.5));
    ResourceLedger sub = ResourceLedger.over(half);
    assertThat(sub.gpuFree()).containsExactly(Map.entry("0", 5_000L));
    assertThat(sub.feasible(gpu(1))).isFalse();
    assertThat(sub.infeasibility(gpu(1))).hasValue("GPU 1 > total 0.5");
    Allocation q1 = take(sub, gpu(0.25));
    take(sub, gpu(0.25));
    assertThat(q1.gpuIds()).containsExactly("0");
    assertThat(sub.fitsNow(gpu(0.0001))).isFalse();
    sub.release(q1);
    assertThat(sub.fitsNow(gpu(0.25))).isTrue();
    assertThatThrownBy(() -> sub.release(new Allocation(gpu(0.5), Map.of("0", 5_000L))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void noneIsEmpty() {
    assertThat(Allocation.NONE.gpuIds()).isEmpty();
    assertThat(Allocation.NONE.resources().isEmpty()).isTrue();
    ledger.release(Allocation.NONE);
    assertThat(ledger.available()).isEqualTo(ledger.total());
  }
}
