package io.troupe.runtime.placement;

import static io.troupe.runtime.placement.Fixtures.cpu;
import static io.troupe.runtime.placement.Fixtures.cpuGpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manager's persistence (without a control service: the in-memory store the head would write), the
 * two-phase commit's abort, nested groups giving capacity back, and what the listener hears.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlacementLifecycleTest {
  private final Sim sim = new Sim();

  @Test
  void everyStateIsPersistedAndRemovalDeletesTheRecord() {
    NodeId a = sim.node("a", 4, 0);
    sim.node("b", 4, 0);
    PlacementGroupId id = sim.create(PlacementGroupSpec.builder().bundle(cpu(2)).bundle(cpu(2))
        .strategy(PlacementStrategy.STRICT_SPREAD).name("web").owner("driver-1").build());
    assertThat(sim.stored(id)).hasValueSatisfying(p -> {
      assertThat(p.state()).isEqualTo(PlacementGroupState.PENDING);
      assertThat(p.bundles()).isEmpty();
      assertThat(p.spec().name()).hasValue("web");
    });

    sim.step();
    PersistedGroup created = sim.stored(id).orElseThrow();
    assertThat(created.state()).isEqualTo(PlacementGroupState.CREATED);
    assertThat(created.bundles()).containsOnlyKeys(0, 1);
    assertThat(created.bundles().values()).extracting(PersistedGroup.Placement::node).doesNotHaveDuplicates();
    assertThat(sim.events).contains("state " + id + " CREATED");

    sim.kill(created.bundles().get(0).node());
    assertThat(sim.stored(id).orElseThrow().state()).isEqualTo(PlacementGroupState.RESCHEDULING);
    assertThat(sim.events).contains("state " + id + " RESCHEDULING");

    sim.manager.remove(id);
    assertThat(sim.stored(id)).isEmpty();
    assertThat(sim.store.loadAll()).isEmpty();
    assertThat(sim.events).last().isEqualTo("state " + id + " REMOVED");
    assertThat(sim.manager.list()).isEmpty();
    assertThat(sim.manager.byName("web")).isEmpty();
    assertThat(sim.manager.notReadyReason(id)).contains("was removed");
  }

  @Test
  void aFailedGroupStaysInTheStoreAsFailed() {
    sim.node("a", 8, 4);
    sim.node("b", 8, 4);
    PlacementGroupId g = sim.create(PlacementGroupSpec.builder().strategy(PlacementStrategy.STRICT_SPREAD)
        .bundle(cpuGpu(1, 2)).bundle(cpuGpu(1, 2))
        .gang(new GangPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(10))).build());
    sim.step();
    sim.manager.placeActor(ActorId.of("rank0"), g, OptionalInt.of(0), ResourceSet.of("GPU", 2), null);
    assertThat(sim.manager.isGang(g)).isTrue();
    sim.manager.onActorDied(ActorId.of("rank0"), "crash");
    assertThat(sim.state(g)).isEqualTo(PlacementGroupState.FAILED);
    assertThat(sim.stored(g)).hasValueSatisfying(p -> assertThat(p.state()).isEqualTo(PlacementGroupState.FAILED));
    assertThat(sim.events).last().isEqualTo("state " + g + " FAILED");
    assertThat(sim.manager.list()).extracting(PlacementGroupInfo::state).containsExactly(PlacementGroupState.FAILED);
  }

  @Test
  void aNewHeadRebuildsNamesOwnersAndChildrenFromTheStoreAlone() {
    NodeId a = sim.node("a", 8, 4);
    PlacementGroupId parent = sim.create(PlacementGroupSpec.builder().bundle(cpuGpu(4, 4)).name("tp")
        .owner("driver-1").build());
    PlacementGroupId kept = sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).owner("driver-1").detached()
        .build());
    sim.step();
    PlacementGroupId child = sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpuGpu(1, 2)).build());
    List<String> gpus = sim.manager.info(child).orElseThrow().bundles().get(0).gpuIds();

    sim.manager = sim.newHead(PlacementConfig.DEFAULTS);
    sim.manager.onNodeAdded(a, ResourceSet.of("CPU", 8, "GPU", 4), Map.of());
    Map<NodeId, List<HeldBundle>> reports = new HashMap<>();
    sim.agents.tables().forEach((n, t) -> reports.put(n, t.report()));
    sim.manager.recover(sim.store.loadAll(), reports);
    sim.agents.drain();

    assertThat(sim.manager.byName("tp")).hasValueSatisfying(i -> assertThat(i.id()).isEqualTo(parent));
    assertThat(sim.state(parent)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.state(child)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.manager.info(child).orElseThrow().bundles().get(0).gpuIds()).isEqualTo(gpus);
    assertThat(sim.manager.rootBundle(child, 0)).isEqualTo(Map.entry(parent, 0));
    assertThat(sim.manager.rootBundle(parent, 0)).isEqualTo(Map.entry(parent, 0));
    assertThat(sim.manager.nodeViews()).singleElement()
        .satisfies(v -> assertThat(v.available()).isEqualTo(ResourceSet.of("CPU", 3)));
    // the owner index came back too: the owner's death removes its non-detached group and the child
    sim.manager.onOwnerDead("driver-1");
    assertThat(sim.state(parent)).isEqualTo(PlacementGroupState.REMOVED);
    assertThat(sim.state(child)).isEqualTo(PlacementGroupState.REMOVED);
    assertThat(sim.state(kept)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.store.loadAll()).extracting(PersistedGroup::id).containsExactly(kept);
    sim.step();
    assertThat(sim.heldBundles()).isEqualTo(1);
  }

  @Test
  void anEndedNestedGroupHandsItsCapacityBackToTheParent() {
    sim.node("a", 8, 4);
    PlacementGroupId parent = sim.create(PlacementGroupSpec.builder().bundle(cpuGpu(4, 4)).build());
    sim.step();
    PlacementGroupId first = sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpuGpu(3, 3)).build());
    assertThat(sim.manager.info(first).orElseThrow().bundles().get(0).gpuIds()).containsExactly("0", "1", "2");
    assertThatThrownBy(() -> sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpuGpu(2, 2)).build()))
        .hasMessageContaining("Free in the parent");

    sim.manager.remove(first);
    assertThat(sim.events).contains("state " + first + " REMOVED");
    assertThat(sim.state(parent)).isEqualTo(PlacementGroupState.CREATED);
    PlacementGroupId second = sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpuGpu(4, 4)).build());
    assertThat(sim.state(second)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.manager.info(second).orElseThrow().bundles().get(0).gpuIds()).containsExactly("0", "1", "2", "3");
    // the node still holds only the parent's bundle, and the cluster view is unchanged by carving
    assertThat(sim.heldBundles()).isEqualTo(1);
    assertThat(sim.manager.nodeViews().get(0).available()).isEqualTo(ResourceSet.of("CPU", 4));
    // removing the parent removes the child with it
    sim.manager.remove(parent);
    assertThat(sim.state(second)).isEqualTo(PlacementGroupState.REMOVED);
    assertThat(sim.manager.notReadyReason(second)).contains("removed with its parent " + parent);
    assertThatThrownBy(() -> sim.create(PlacementGroupSpec.builder().parent(parent).bundle(cpu(1)).build()))
        .hasMessageContaining("parent placement group " + parent + " does not exist");
  }

  @Test
  void aNodeDyingWhilePreparingAbortsAndReleasesTheTentativeReservations() {
    NodeId a = sim.node("a", 4, 0);
    NodeId b = sim.node("b", 4, 0);
    sim.agents.slow.add(b); // b's prepare is in flight when b dies
    PlacementGroupId id = sim.create(PlacementGroupSpec.builder().strategy(PlacementStrategy.STRICT_SPREAD)
        .bundle(cpu(3)).bundle(cpu(3)).build());
    sim.step();
    assertThat(sim.agents.tables().get(a).report()).singleElement()
        .satisfies(h -> assertThat(h.phase()).isEqualTo(HeldBundle.Phase.PREPARED));
    assertThat(sim.manager.nodeViews()).filteredOn(v -> v.nodeId().equals(a)).singleElement()
        .satisfies(v -> assertThat(v.available()).isEqualTo(ResourceSet.of("CPU", 1)));

    sim.kill(b);
    sim.agents.drain();
    // the attempt is aborted: a's tentative bundle is cancelled and counted free again
    assertThat(sim.agents.tables().get(a).report()).isEmpty();
    assertThat(sim.manager.nodeViews()).filteredOn(v -> v.nodeId().equals(a)).singleElement()
        .satisfies(v -> assertThat(v.available()).isEqualTo(ResourceSet.of("CPU", 4)));
    assertThat(sim.state(id)).isIn(PlacementGroupState.PENDING, PlacementGroupState.RESCHEDULING);

    NodeId c = sim.node("c", 4, 0);
    sim.advance(Duration.ofSeconds(5));
    assertThat(sim.state(id)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.manager.info(id).orElseThrow().bundles()).extracting(bi -> bi.node().orElseThrow())
        .containsExactlyInAnyOrder(a, c);
  }

  @Test
  void waitersGetTheGroupOrATimeoutAndTheNextWakeupSaysWhen() {
    sim.node("a", 2, 0);
    PlacementGroupId big = sim.create(PlacementGroupSpec.builder().bundle(cpu(4)).build());
    CompletableFuture<PlacementGroupInfo> waiting = sim.manager.ready(big, Duration.ofSeconds(3));
    assertThat(sim.manager.nextWakeup()).hasValueSatisfying(t -> assertThat(t).isBeforeOrEqualTo(sim.clock.instant()));
    sim.step();
    // infeasible: nothing to retry until a node joins, so the next wake-up is the waiter's deadline
    assertThat(sim.manager.nextWakeup()).hasValue(sim.clock.instant().plusSeconds(3));
    sim.advance(Duration.ofSeconds(2));
    assertThat(waiting).isNotDone();
    sim.advance(Duration.ofSeconds(1));
    assertThat(waiting).isCompletedExceptionally();
    assertThatThrownBy(waiting::join).hasMessageContaining("not ready in time").hasMessageContaining("infeasible");
    sim.manager.remove(big);
    assertThat(sim.manager.nextWakeup()).isEmpty();
  }
}
