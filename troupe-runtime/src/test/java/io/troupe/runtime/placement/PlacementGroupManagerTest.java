package io.troupe.runtime.placement;

import static io.troupe.runtime.placement.Fixtures.cpu;
import static io.troupe.runtime.placement.Fixtures.cpuGpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlacementGroupManagerTest {
  private final Sim sim = new Sim();

  private static PlacementGroupSpec spec(PlacementStrategy s, Bundle... bs) {
    return PlacementGroupSpec.builder().strategy(s).bundles(List.of(bs)).build();
  }

  @Test
  void reservesByTwoPhaseCommitAndCompletesReady() {
    sim.node("a", 4, 2);
    sim.node("b", 4, 2);
    PlacementGroupId id = sim.create(spec(PlacementStrategy.STRICT_SPREAD, cpuGpu(1, 2), cpuGpu(1, 2)));
    CompletableFuture<PlacementGroupInfo> ready = sim.manager.ready(id);
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.PENDING);
    sim.step();
    assertThat(ready).isCompleted();
    PlacementGroupInfo info = ready.join();
    assertThat(info.state()).isEqualTo(PlacementGroupState.CREATED);
    assertThat(new HashSet<>(info.bundles().stream().map(b -> b.node().orElseThrow()).toList())).hasSize(2);
    assertThat(info.bundles()).allSatisfy(b -> assertThat(b.gpuIds()).containsExactly("0", "1"));
    assertThat(sim.agents.tables().values()).allSatisfy(t ->
        assertThat(t.report()).singleElement().satisfies(h -> assertThat(h.phase()).isEqualTo(HeldBundle.Phase.COMMITTED)));
  }

  @Test
  void badInputIsAClearErrorAndReservesNothing() {
    sim.node("a", 4, 0);
    assertThatThrownBy(() -> sim.create(PlacementGroupSpec.builder().build())).hasMessageContaining("at least one bundle");
    assertThatThrownBy(() -> sim.create(spec(PlacementStrategy.PACK, cpu(0))))
        .hasMessageContaining("bundle 0 asks for nothing");
    assertThatThrownBy(() -> SpecValidator.bundles(List.of(Map.of("CPU", 1), Map.of("CPU", -1))))
        .isInstanceOf(PlacementGroupException.class).hasMessageContaining("bundle 1").hasMessageContaining("negative");
    assertThatThrownBy(() -> SpecValidator.bundles(List.of(Map.of("CPU", Double.NaN)))).hasMessageContaining("NaN");
    assertThatThrownBy(() -> PlacementGroupSpec.builder().strategy("STRICTEST")).hasMessageContaining("unknown placement strategy");
    sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).name("web").build());
    assertThatThrownBy(() -> sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).name("web").build()))
        .hasMessageContaining("'web' is already used");
    PlacementGroupId id = sim.manager.byName("web").orElseThrow().id();
    sim.step();
    assertThat(sim.manager.placeActor(ActorId.of("x"), id, OptionalInt.of(3), ResourceSet.of("CPU", 1), null))
        .isInstanceOfSatisfying(ActorPlacement.Rejected.class, r -> assertThat(r.reason()).contains("out of range"));
    assertThat(sim.agents.prepares).isEqualTo(1);
  }

  @Test
  void failedPrepareCancelsThePreparedOnesAndRetriesWithBackoff() {
    NodeId a = sim.node("a", 4, 0);
    NodeId b = sim.node("b", 4, 0);
    sim.agents.failPrepare.add(b);
    PlacementGroupId id = sim.create(spec(PlacementStrategy.STRICT_SPREAD, cpu(2), cpu(2)));
    sim.step();
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.PENDING);
    assertThat(sim.heldBundles()).isZero();
    assertThat(sim.manager.notReadyReason(id)).contains("refused").contains("node b");
    sim.agents.failPrepare.clear();
    int before = sim.agents.prepares;
    sim.step();
    assertThat(sim.agents.prepares).isEqualTo(before); // backing off
    sim.advance(Duration.ofSeconds(1));
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.agents.tables().get(a).report()).hasSize(1);
  }

  @Test
  void failedCommitLosesOnlyThatBundleAndReReservesIt() {
    sim.node("a", 4, 0);
    NodeId b = sim.node("b", 4, 0);
    sim.node("c", 2, 0);
    sim.agents.failCommit.add(b);
    PlacementGroupId id = sim.create(spec(PlacementStrategy.STRICT_SPREAD, cpu(2), cpu(2)));
    sim.step();
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.RESCHEDULING);
    assertThat(sim.agents.tables().get(b).report()).isEmpty(); // the refused one was cancelled
    sim.agents.failCommit.clear();
    sim.step();
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.heldBundles()).isEqualTo(2);
  }

  @Test
  void aSlowGroupDoesNotBlockOthersAndTimesOutWithoutLeaking() {
    NodeId slow = sim.node("slow", 8, 0, Map.of("zone", "s"));
    sim.node("fast", 8, 0, Map.of("zone", "f"));
    sim.agents.slow.add(slow);
    PlacementGroupId g1 = sim.create(spec(PlacementStrategy.PACK, cpu(4).withLabels(Map.of("zone", "s"))));
    PlacementGroupId g2 = sim.create(spec(PlacementStrategy.PACK, cpu(4).withLabels(Map.of("zone", "f"))));
    sim.step();
    assertThat(sim.state(g1)).isEqualTo(PlacementGroupState.PENDING);
    assertThat(sim.state(g2)).isEqualTo(PlacementGroupState.CREATED);
    sim.advance(Duration.ofSeconds(31));
    assertThat(sim.manager.notReadyReason(g1)).contains("no prepare answer");
    sim.agents.releaseSlow(); // the late prepare lands now, its reply is stale
    sim.agents.drain();
    assertThat(sim.agents.tables().get(slow).report()).isEmpty();
    sim.agents.slow.clear();
    sim.advance(Duration.ofSeconds(1));
    assertThat(sim.state(g1)).isEqualTo(PlacementGroupState.CREATED);
  }

  @Test
  void waitingWithATimeoutSaysWhichBundleDoesNotFitWhere() {
    sim.node("a", 4, 1);
    PlacementGroupId big = sim.create(spec(PlacementStrategy.PACK, cpuGpu(1, 1)));
    sim.step();
    PlacementGroupId id = sim.create(spec(PlacementStrategy.PACK, cpuGpu(1, 1)));
    CompletableFuture<PlacementGroupInfo> f = sim.manager.ready(id, Duration.ofSeconds(5));
    sim.step();
    sim.advance(Duration.ofSeconds(6));
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).hasMessageContaining("bundle 0").hasMessageContaining("node a has");
    sim.manager.remove(big);
    sim.advance(Duration.ofSeconds(11));
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.CREATED);
  }

  @Test
  void infeasibleGroupsAreKeptAndRetriedWhenANodeJoins() {
    sim.node("a", 4, 0);
    PlacementGroupId id = sim.create(spec(PlacementStrategy.PACK, cpuGpu(1, 8)));
    sim.step();
    assertThat(sim.manager.notReadyReason(id)).contains("infeasible").contains("GPU: 8");
    sim.advance(Duration.ofMinutes(5));
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.PENDING);
    sim.node("big", 16, 8);
    sim.step();
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.CREATED);
  }

  @Test
  void actorsUseTheBundleNotTheNodeAndOverflowIsAnErrorAtOnce() {
    sim.node("a", 8, 2);
    PlacementGroupId id = sim.create(spec(PlacementStrategy.PACK, cpuGpu(2, 2)));
    assertThat(sim.manager.placeActor(ActorId.of("early"), id, OptionalInt.empty(), ResourceSet.of("CPU", 1), null))
        .isInstanceOf(ActorPlacement.NotReady.class);
    sim.step();
    ActorPlacement p = sim.manager.placeActor(ActorId.of("w"), id, OptionalInt.of(0), ResourceSet.of("CPU", 1, "GPU", 1), null);
    assertThat(p).isInstanceOfSatisfying(ActorPlacement.Placed.class,
        pl -> assertThat(GpuEnvironment.of(pl.allocation())).containsEntry("CUDA_VISIBLE_DEVICES", "0"));
    assertThat(sim.manager.placeActor(ActorId.of("big"), id, OptionalInt.of(0), ResourceSet.of("CPU", 2), null))
        .isInstanceOfSatisfying(ActorPlacement.Rejected.class, r -> assertThat(r.reason()).contains("has no room"));
    // The node still has 6 CPU free, but the bundle is what counts; the node view excludes the bundle.
    assertThat(sim.manager.nodeViews().get(0).available()).isEqualTo(ResourceSet.of("CPU", 6));
  }

  @Test
  void removalFreesEverythingStopsActorsFailsWaitersAndCascadesToChildren() {
    sim.node("a", 8, 4);
    PlacementGroupId parent = sim.create(spec(PlacementStrategy.PACK, cpuGpu(4, 4)));
    sim.step();
    sim.manager.placeActor(ActorId.of("p"), parent, OptionalInt.of(0), ResourceSet.of("CPU", 1), null);
    PlacementGroupId child = sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpuGpu(1, 2))
        .bundle(cpuGpu(1, 1)).strategy(PlacementStrategy.PACK).build());
    assertThat(sim.state(child)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.manager.info(child).orElseThrow().bundles().get(0).gpuIds()).containsExactly("0", "1");
    assertThatThrownBy(() -> sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpuGpu(1, 2)).build()))
        .hasMessageContaining("inside placement group " + parent).hasMessageContaining("Free in the parent")
        .hasMessageContaining("asked for");
    PlacementGroupId stuck = sim.create(spec(PlacementStrategy.PACK, cpuGpu(1, 1)));
    CompletableFuture<PlacementGroupInfo> f = sim.manager.ready(stuck);
    sim.manager.remove(stuck);
    assertThatThrownBy(f::join).hasMessageContaining("was removed");
    sim.manager.remove(parent);
    assertThat(sim.state(child)).isEqualTo(PlacementGroupState.REMOVED);
    assertThat(sim.events).anyMatch(e -> e.startsWith("stop " + parent + " [p]"));
    assertThat(sim.heldBundles()).isZero();
    assertThat(sim.manager.nodeViews().get(0).available()).isEqualTo(ResourceSet.of("CPU", 8, "GPU", 4));
  }

  @Test
  void ownerDeathRemovesNonDetachedGroupsOnly() {
    sim.node("a", 8, 0);
    PlacementGroupId mine = sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).owner("driver-1").build());
    PlacementGroupId kept = sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).owner("driver-1").detached().build());
    sim.step();
    sim.manager.onOwnerDead("driver-1");
    assertThat(sim.state(mine)).isEqualTo(PlacementGroupState.REMOVED);
    assertThat(sim.state(kept)).isEqualTo(PlacementGroupState.CREATED);
  }

  @Test
  void nodeDeathReReservesOnlyTheLostBundles() {
    NodeId a = sim.node("a", 4, 0);
    NodeId b = sim.node("b", 4, 0);
    sim.node("c", 4, 0);
    PlacementGroupId id = sim.create(spec(PlacementStrategy.STRICT_SPREAD, cpu(2), cpu(2)));
    sim.step();
    Map<Integer, NodeId> before = nodesOf(id);
    NodeId victim = before.get(0);
    sim.kill(victim);
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.RESCHEDULING);
    sim.step();
    Map<Integer, NodeId> after = nodesOf(id);
    assertThat(after.get(1)).isEqualTo(before.get(1));
    assertThat(after.get(0)).isNotIn(victim, before.get(1));
    assertThat(List.of(a, b)).contains(victim);
  }

  private Map<Integer, NodeId> nodesOf(PlacementGroupId id) {
    Map<Integer, NodeId> m = new java.util.HashMap<>();
    sim.manager.info(id).orElseThrow().bundles().forEach(bi -> bi.node().ifPresent(n -> m.put(bi.index(), n)));
    return m;
  }
}
