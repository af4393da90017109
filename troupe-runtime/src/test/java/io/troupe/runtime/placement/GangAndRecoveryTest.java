package io.troupe.runtime.placement;

import static io.troupe.runtime.placement.Fixtures.cpu;
import static io.troupe.runtime.placement.Fixtures.cpuGpu;
import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GangAndRecoveryTest {
  private final Sim sim = new Sim();

  @Test
  void gangRestartsAllMembersInBundleOrderWithANewEpochThenFails() {
    sim.node("a", 8, 4);
    sim.node("b", 8, 4);
    PlacementGroupId g = sim.create(PlacementGroupSpec.builder().strategy(PlacementStrategy.STRICT_SPREAD)
        .bundle(cpuGpu(1, 2)).bundle(cpuGpu(1, 2))
        .gang(new GangPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(10))).build());
    sim.step();
    sim.manager.placeActor(ActorId.of("rank1"), g, OptionalInt.of(1), ResourceSet.of("GPU", 2), "args-1");
    sim.manager.placeActor(ActorId.of("rank0"), g, OptionalInt.of(0), ResourceSet.of("GPU", 2), "args-0");
    assertThat(sim.manager.admits(g, 0)).isTrue();
    sim.manager.onActorDied(ActorId.of("rank1"), "OOM");
    assertThat(sim.manager.info(g).orElseThrow().lastGangRestart().orElseThrow().lostBundles()).isEmpty();
    assertThat(sim.events).anyMatch(e -> e.startsWith("stop " + g + " [rank0]"));
    assertThat(sim.manager.admits(g, 0)).isFalse();
    assertThat(sim.manager.admits(g, 1)).isTrue();
    sim.advance(Duration.ofSeconds(1));
    assertThat(sim.recreated).isEmpty(); // back-off
    sim.advance(Duration.ofSeconds(2));
    List<GangMember> members = sim.recreated.get(g);
    assertThat(members).extracting(GangMember::actor).containsExactly(ActorId.of("rank0"), ActorId.of("rank1"));
    assertThat(members).extracting(GangMember::creationArgs).containsExactly("args-0", "args-1");
    assertThat(members).allSatisfy(m -> assertThat(m.epoch()).isEqualTo(1));
    sim.events.clear();
    sim.manager.onActorDied(ActorId.of("rank0"), "crash again");
    assertThat(sim.state(g)).isEqualTo(PlacementGroupState.FAILED);
    assertThat(sim.manager.notReadyReason(g)).contains("restart budget");
    // Every member is stopped with the failed group, the one that died last too (it must not wait for a restart
    // that never comes).
    assertThat(sim.events).anyMatch(e -> e.startsWith("stop " + g) && e.contains("rank0") && e.contains("FAILED"));
    assertThat(sim.heldBundles()).isZero();
  }

  @Test
  void nodeDeathRestartsTheGangAfterReReservingTheLostBundle() {
    NodeId a = sim.node("a", 8, 2);
    sim.node("b", 8, 2);
    sim.node("c", 8, 2);
    PlacementGroupId g = sim.create(PlacementGroupSpec.builder().strategy(PlacementStrategy.STRICT_SPREAD)
        .bundle(cpuGpu(1, 2)).bundle(cpuGpu(1, 2)).gang(GangPolicy.DEFAULT).build());
    sim.step();
    sim.manager.placeActor(ActorId.of("r0"), g, OptionalInt.of(0), ResourceSet.of("GPU", 1), null);
    sim.manager.placeActor(ActorId.of("r1"), g, OptionalInt.of(1), ResourceSet.of("GPU", 1), null);
    NodeId victim = sim.manager.info(g).orElseThrow().bundles().get(0).node().orElseThrow();
    sim.kill(victim);
    assertThat(sim.manager.epochOf(g)).hasValue(1);
    PlacementGroupInfo.GangRestart restart = sim.manager.info(g).orElseThrow().lastGangRestart().orElseThrow();
    assertThat(restart.lostBundles()).containsExactly(0); // as data, not only in the cause's text
    assertThat(restart.epoch()).isEqualTo(1);
    sim.advance(Duration.ofSeconds(2));
    assertThat(sim.state(g)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.recreated.get(g)).hasSize(2).allSatisfy(m -> assertThat(m.node()).isNotEqualTo(victim));
    assertThat(List.of(a)).isNotNull();
  }

  @Test
  void aRestartedHeadCommitsWhatItDecidedAndCancelsTheRest() {
    NodeId a = sim.node("a", 8, 0);
    NodeId b = sim.node("b", 8, 0);
    sim.agents.slow.add(b); // commits to b are stuck when the head dies
    PlacementGroupId decided = sim.create(PlacementGroupSpec.builder().strategy(PlacementStrategy.STRICT_SPREAD)
        .bundle(cpu(2)).bundle(cpu(2)).build());
    sim.step();
    sim.agents.releaseSlow(); // prepares on b land; the replies queue up
    sim.agents.drain(); // all prepared: PREPARED persisted, commits sent; b's commit is held
    assertThat(sim.state(decided)).isEqualTo(PlacementGroupState.PREPARED);
    // A bundle nobody decided: a prepare from an attempt the old head never finished.
    sim.agents.tables().get(a).prepare(new BundleReservation(PlacementGroupId.of("pg-ghost"), 0, 99, ResourceSet.of("CPU", 1)));

    // The head dies; the held commit is lost with it. A new head recovers.
    sim.agents.slow.clear();
    sim.manager = sim.newHead(PlacementConfig.DEFAULTS);
    sim.manager.onNodeAdded(a, ResourceSet.of("CPU", 8), Map.of());
    sim.manager.onNodeAdded(b, ResourceSet.of("CPU", 8), Map.of());
    Map<NodeId, List<HeldBundle>> reports = new HashMap<>();
    sim.agents.tables().forEach((n, t) -> reports.put(n, t.report()));
    sim.manager.recover(sim.store.loadAll(), reports);
    sim.agents.drain();
    assertThat(sim.state(decided)).isEqualTo(PlacementGroupState.CREATED);
    assertThat(sim.agents.tables().get(a).report()).singleElement()
        .satisfies(h -> assertThat(h.group()).isEqualTo(decided));
    assertThat(sim.agents.tables().values()).allSatisfy(t -> assertThat(t.report()).singleElement()
        .satisfies(h -> assertThat(h.phase()).isEqualTo(HeldBundle.Phase.COMMITTED)));
    // No double booking: the recovered head counts exactly what the nodes hold.
    assertThat(sim.manager.nodeViews()).allSatisfy(v -> assertThat(v.available()).isEqualTo(ResourceSet.of("CPU", 6)));
    sim.step();
    assertThat(sim.heldBundles()).isEqualTo(2);
  }

  @Test
  void reschedulingGroupsGoFirstButPendingOnesAreNotStarved() {
    sim.node("a", 64, 0);
    PlacementConfig cfg = PlacementConfig.DEFAULTS;
    ManagerState s = sim.manager.state();
    for (int i = 0; i < 5; i++) {
      PlacementGroupId id = sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).build());
      s.groups.get(id).state = PlacementGroupState.RESCHEDULING;
    }
    PlacementGroupId p1 = sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).build());
    PlacementGroupId p2 = sim.create(PlacementGroupSpec.builder().bundle(cpu(1)).build());
    List<PlacementGroupState> order = PendingQueue.order(s, sim.clock.instant()).stream().map(g -> g.state).toList();
    assertThat(order.subList(0, cfg.rescheduleBurst())).containsOnly(PlacementGroupState.RESCHEDULING);
    assertThat(order.get(cfg.rescheduleBurst())).isEqualTo(PlacementGroupState.PENDING);
    assertThat(order).hasSize(7);
    assertThat(List.of(p1, p2)).isNotEmpty();
  }
}
