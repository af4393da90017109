package io.troupe.runtime.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.resources.ResourceLedger;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeBundleTableTest {
  private static final PlacementGroupId G = PlacementGroupId.of("g");
  private final ResourceLedger ledger = new ResourceLedger(ResourceSet.of("CPU", 8, "GPU", 4), List.of("0", "1", "2", "3"));
  private final NodeBundleTable table = new NodeBundleTable(ledger);

  private static BundleReservation r(int index, long attempt, double cpu, double gpu) {
    return new BundleReservation(G, index, attempt, ResourceSet.of("CPU", cpu, "GPU", gpu));
  }

  @Test
  void prepareIsIdempotentAndHoldsDistinctGpuIds() {
    BundleReply a = table.prepare(r(0, 1, 1, 2));
    assertThat(table.prepare(r(0, 1, 1, 2))).isEqualTo(a);
    BundleReply b = table.prepare(r(1, 1, 1, 2));
    assertThat(((BundleReply.Ok) a).allocation().gpuIds()).containsExactly("0", "1");
    assertThat(((BundleReply.Ok) b).allocation().gpuIds()).containsExactly("2", "3");
    assertThat(ledger.available()).isEqualTo(ResourceSet.of("CPU", 6));
    assertThat(table.prepare(r(2, 1, 1, 1))).isInstanceOf(BundleReply.Rejected.class);
    assertThat(GpuEnvironment.of(((BundleReply.Ok) b).allocation())).containsEntry("CUDA_VISIBLE_DEVICES", "2,3");
  }

  @Test
  void newerAttemptReplacesAPreparedOneAndStaleOnesAreRefused() {
    table.prepare(r(0, 1, 4, 0));
    assertThat(table.prepare(r(0, 2, 4, 0))).isInstanceOf(BundleReply.Ok.class);
    assertThat(ledger.available().get("CPU")).isEqualTo(4);
    assertThat(table.prepare(r(0, 1, 4, 0))).isInstanceOf(BundleReply.Rejected.class);
    assertThat(table.commit(r(0, 1, 4, 0))).isInstanceOf(BundleReply.Rejected.class);
    assertThat(table.commit(r(0, 2, 4, 0))).isInstanceOf(BundleReply.Ok.class);
    assertThat(table.commit(r(0, 2, 4, 0))).isInstanceOf(BundleReply.Ok.class);
    assertThat(table.prepare(r(0, 3, 4, 0))).isInstanceOf(BundleReply.Rejected.class);
    assertThat(table.report()).singleElement().satisfies(h -> {
      assertThat(h.phase()).isEqualTo(HeldBundle.Phase.COMMITTED);
      assertThat(h.attempt()).isEqualTo(2);
    });
  }

  @Test
  void actorsAllocateFromTheBundleAndCancelEvictsThem() {
    table.prepare(r(0, 1, 2, 2));
    assertThat(table.allocateActor(G, 0, ActorId.of("a"), ResourceSet.of("CPU", 1))).isInstanceOf(BundleReply.Rejected.class);
    table.commit(r(0, 1, 2, 2));
    BundleReply a = table.allocateActor(G, 0, ActorId.of("a"), ResourceSet.of("CPU", 1, "GPU", 1));
    assertThat(((BundleReply.Ok) a).allocation().gpuIds()).containsExactly("0");
    assertThat(ledger.available()).isEqualTo(ResourceSet.of("CPU", 6, "GPU", 2));
    assertThat(table.allocateActor(G, 0, ActorId.of("b"), ResourceSet.of("CPU", 2)))
        .isInstanceOfSatisfying(BundleReply.Rejected.class, x -> assertThat(x.reason()).contains("left"));
    table.releaseActor(ActorId.of("a"));
    table.allocateActor(G, 0, ActorId.of("c"), ResourceSet.of("CPU", 2));
    assertThat(table.cancel(r(0, 9, 2, 2))).isEmpty();
    assertThat(table.cancel(r(0, 1, 2, 2))).containsExactly(ActorId.of("c"));
    assertThat(table.cancel(r(0, 1, 2, 2))).isEmpty();
    assertThat(ledger.available()).isEqualTo(ledger.total());
    assertThat(table.report()).isEmpty();
  }
}
