package io.troupe.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.control.RecordingControlEffects.Changed;
import io.troupe.runtime.control.RecordingControlEffects.Start;
import io.troupe.runtime.control.RecordingControlEffects.Stop;
import io.troupe.runtime.protocol.ActorSpec;
import io.troupe.runtime.scheduling.ActorSchedulingPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The control service driven directly, its effects recorded: no Pekko, no sockets. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControlServiceTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId GPU_NODE = NodeId.of("n9-gpu");

  private final RecordingControlEffects effects = new RecordingControlEffects();
  private final ControlService control = new ControlService(effects, new ActorSchedulingPolicy(new SplittableRandom(3)));

  private void node(NodeId id, double cpus) {
    control.registerNode(id, id.value() + ":2552", false, Map.of(), ResourceSet.of("CPU", cpus), List.of(),
        ResourceSet.of("CPU", cpus), Set.of());
  }

  private static ActorSpec spec(String id, ActorOptions options) {
    return new ActorSpec(ActorId.of(id), "com.example.Worker", null, options, null);
  }

  private static ActorSpec spec(String id, double cpus) {
    return spec(id, ActorOptions.builder().cpus(cpus).build());
  }

  private ActorInfo info(String id) {
    return control.actor(ActorId.of(id)).orElseThrow();
  }

  /** Creates the actor and confirms its start wherever it was placed. */
  private NodeId createAlive(ActorSpec spec) {
    control.createActor(spec);
    NodeId node = info(spec.id().value()).nodeId();
    assertThat(node).as("placed").isNotNull();
    control.actorStarted(spec.id(), control.incarnation(spec.id()), node);
    assertThat(info(spec.id().value()).state()).isEqualTo(ActorState.ALIVE);
    effects.drain();
    return node;
  }

  @Test
  void createStartsTheActorAndStartedMakesItAliveAndIsBroadcast() {
    node(N1, 4);
    ActorInfo created = control.createActor(spec("a", 1));
    assertThat(created.state()).isEqualTo(ActorState.PENDING_CREATION);
    assertThat(effects.drain()).containsExactly(new Start(N1, ActorId.of("a"), 0));
    assertThat(info("a").nodeId()).isEqualTo(N1);

    control.actorStarted(ActorId.of("a"), 0, N1);
    ActorInfo alive = info("a");
    assertThat(alive.state()).isEqualTo(ActorState.ALIVE);
    assertThat(alive.pendingReason()).isNull();
    assertThat(effects.drain()).containsExactly(new Changed(alive, 0));
  }

  @Test
  void creatingTheSameIdTwiceIsIdempotent() {
    node(N1, 4);
    control.createActor(spec("a", 1));
    control.createActor(spec("a", 1));
    assertThat(effects.starts()).hasSize(1);
    assertThat(control.actors()).hasSize(1);
  }

  @Test
  void noRoomOnTheNodeReschedulesWithTheNodesNewReport() {
    node(N1, 4);
    node(N2, 4);
    control.createActor(spec("a", 1));
    assertThat(effects.drain()).containsExactly(new Start(N1, ActorId.of("a"), 0));
    // n1 is fuller than the control service knew.
    control.resourceReport(N1, ResourceSet.EMPTY, Set.of());
    control.actorStartFailed(ActorId.of("a"), 0, N1, true, "needs {CPU: 1}, available {}");
    assertThat(effects.drain()).containsExactly(new Start(N2, ActorId.of("a"), 0));
    assertThat(info("a").state()).isEqualTo(ActorState.PENDING_CREATION);
    control.actorStarted(ActorId.of("a"), 0, N2);
    assertThat(info("a").state()).isEqualTo(ActorState.ALIVE);
  }

  @Test
  void noRoomDoesNotImmediatelyRetryTheSameNodeWithAnUnchangedView() {
    control.registerNode(GPU_NODE, "g:1", false, Map.of(), ResourceSet.of("CPU", 8, "GPU", 2), List.of("0", "1"),
        ResourceSet.of("CPU", 8, "GPU", 1), Set.of()); // e.g. 0.5 free on each GPU: a whole GPU does not fit
    control.createActor(spec("a", ActorOptions.builder().cpus(1).gpus(1).build()));
    assertThat(effects.drain()).containsExactly(new Start(GPU_NODE, ActorId.of("a"), 0));
    control.actorStartFailed(ActorId.of("a"), 0, GPU_NODE, true, "no whole GPU free");
    assertThat(effects.starts()).as("no new start until the node reports a change").isEmpty();
    assertThat(info("a").pendingReason()).contains("had no room");
  }

  @Test
  void constructorFailureKillsTheActorWithTheCause() {
    node(N1, 4);
    control.createActor(spec("a", ActorOptions.builder().maxRestarts(5).build()));
    effects.drain();
    control.actorStartFailed(ActorId.of("a"), 0, N1, false, "java.lang.IllegalStateException: boom");
    ActorInfo dead = info("a");
    assertThat(dead.state()).isEqualTo(ActorState.DEAD);
    assertThat(dead.deathCause()).isEqualTo("constructor of com.example.Worker failed: java.lang.IllegalStateException: boom");
    assertThat(effects.drain()).containsExactly(new Changed(dead, 0));
  }

  @Test
  void namesAreUniqueAmongLiveActorsAndFreedOnDeath() {
    node(N1, 4);
    control.createActor(spec("a", ActorOptions.builder().name("svc").build()));
    assertThat(control.actorByName("svc")).hasValue(ActorId.of("a"));
    assertThatThrownBy(() -> control.createActor(spec("b", ActorOptions.builder().name("svc").build())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("an actor named 'svc' already exists");
    assertThat(control.actor(ActorId.of("b"))).isEmpty();
    control.killActor(ActorId.of("a"), "by user");
    assertThat(control.actorByName("svc")).isEmpty();
    control.createActor(spec("b", ActorOptions.builder().name("svc").build()));
    assertThat(control.actorByName("svc")).hasValue(ActorId.of("b"));
  }

  @Test
  void killStopsTheActorOnItsNodeAndMarksItDead() {
    node(N1, 4);
    createAlive(spec("a", 1));
    control.killActor(ActorId.of("a"), "killed by user");
    ActorInfo dead = info("a");
    assertThat(dead.state()).isEqualTo(ActorState.DEAD);
    assertThat(dead.deathCause()).isEqualTo("killed by user");
    assertThat(effects.drain()).containsExactly(new Stop(N1, ActorId.of("a"), 0, "killed by user"), new Changed(dead, 0));
    control.killActor(ActorId.of("a"), "again");
    assertThat(effects.drain()).isEmpty();
    assertThatThrownBy(() -> control.killActor(ActorId.of("nope"), "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aStartThatCompletesAfterAKillIsUndone() {
    node(N1, 4);
    control.createActor(spec("a", 1));
    control.killActor(ActorId.of("a"), "changed my mind");
    effects.drain();
    control.actorStarted(ActorId.of("a"), 0, N1);
    assertThat(info("a").state()).isEqualTo(ActorState.DEAD);
    assertThat(effects.drain()).containsExactly(new Stop(N1, ActorId.of("a"), 0, "stale start"));
  }

  @Test
  void nodeDeathRestartsTheActorElsewhereWithANewIncarnation() {
    node(N1, 4);
    createAlive(spec("a", ActorOptions.builder().maxRestarts(1).build()));
    node(N2, 4);
    effects.drain();
    control.nodeDead(N1, "heartbeat lost");
    ActorInfo restarting = info("a");
    assertThat(restarting.state()).isEqualTo(ActorState.RESTARTING);
    assertThat(restarting.numRestarts()).isEqualTo(1);
    assertThat(control.incarnation(ActorId.of("a"))).isEqualTo(1);
    List<RecordingControlEffects.Effect> out = effects.drain();
    assertThat(out).hasSize(2);
    assertThat(out.get(0)).isInstanceOfSatisfying(Changed.class, c -> {
      assertThat(c.info().state()).isEqualTo(ActorState.RESTARTING);
      assertThat(c.info().pendingReason()).contains("node n1 died: heartbeat lost");
      assertThat(c.incarnation()).isEqualTo(1);
    });
    assertThat(out.get(1)).isEqualTo(new Start(N2, ActorId.of("a"), 1));
    // A late confirmation of the old incarnation is stale.
    control.actorStarted(ActorId.of("a"), 0, N1);
    assertThat(info("a").state()).isEqualTo(ActorState.RESTARTING);
    control.actorStarted(ActorId.of("a"), 1, N2);
    assertThat(info("a").state()).isEqualTo(ActorState.ALIVE);
    assertThat(info("a").nodeId()).isEqualTo(N2);
  }

  @Test
  void withoutRestartsNodeDeathKillsTheActorWithTheCause() {
    node(N1, 4);
    node(N2, 4);
    createAlive(spec("a", 1));
    control.nodeDead(N1, "process exited");
    ActorInfo dead = info("a");
    assertThat(dead.state()).isEqualTo(ActorState.DEAD);
    assertThat(dead.deathCause()).isEqualTo("node n1 died: process exited");
    assertThat(dead.numRestarts()).isZero();
    assertThat(effects.starts()).isEmpty();
  }

  @Test
  void restartsAreCountedUntilExhausted() {
    List<NodeId> nodes = List.of(NodeId.of("m0"), NodeId.of("m1"), NodeId.of("m2"), NodeId.of("m3"));
    nodes.forEach(n -> node(n, 4));
    createAlive(spec("a", ActorOptions.builder().maxRestarts(2).build()));
    for (int i = 1; i <= 2; i++) {
      NodeId on = info("a").nodeId();
      control.nodeDead(on, "crash " + i);
      assertThat(info("a").state()).isEqualTo(ActorState.RESTARTING);
      assertThat(info("a").numRestarts()).isEqualTo(i);
      NodeId next = info("a").nodeId();
      assertThat(next).isNotNull().isNotEqualTo(on);
      control.actorStarted(ActorId.of("a"), i, next);
    }
    control.nodeDead(info("a").nodeId(), "crash 3");
    ActorInfo dead = info("a");
    assertThat(dead.state()).isEqualTo(ActorState.DEAD);
    assertThat(dead.deathCause()).isEqualTo("node " + dead.nodeId() + " died: crash 3 (restarts exhausted: 2 of 2)");
    assertThat(dead.maxRestarts()).isEqualTo(2);
  }

  @Test
  void unlimitedRestartsKeepRestarting() {
    for (int i = 0; i < 6; i++) {
      node(NodeId.of("m" + i), 4);
    }
    createAlive(spec("a", ActorOptions.builder().maxRestarts(-1).build()));
    for (int i = 1; i <= 5; i++) {
      control.nodeDead(info("a").nodeId(), "crash");
      assertThat(info("a").state()).isEqualTo(ActorState.RESTARTING);
      control.actorStarted(ActorId.of("a"), i, info("a").nodeId());
    }
    assertThat(info("a").state()).isEqualTo(ActorState.ALIVE);
    assertThat(info("a").numRestarts()).isEqualTo(5);
  }

  @Test
  void restartingActorsWaitForRoomWhenNoOtherNodeHasIt() {
    node(N1, 4);
    createAlive(spec("a", ActorOptions.builder().maxRestarts(1).build()));
    control.nodeDead(N1, "gone");
    assertThat(info("a").state()).isEqualTo(ActorState.RESTARTING);
    assertThat(info("a").nodeId()).isNull();
    assertThat(control.status().infeasibleDemands()).singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("no live nodes"));
    node(N2, 4);
    assertThat(effects.starts()).containsExactly(new Start(N2, ActorId.of("a"), 1));
  }

  @Test
  void anActorNotYetStartedIsRescheduledWhenItsNodeDiesWithoutUsingARestart() {
    node(N1, 4);
    node(N2, 4);
    control.createActor(spec("a", 1)); // maxRestarts 0
    assertThat(info("a").nodeId()).isEqualTo(N1);
    control.nodeDead(N1, "crashed during start");
    ActorInfo a = info("a");
    assertThat(a.state()).isEqualTo(ActorState.PENDING_CREATION);
    assertThat(a.numRestarts()).isZero();
    assertThat(a.nodeId()).isEqualTo(N2);
  }

  @Test
  void infeasibleDemandIsReportedAndPlacedWhenABigEnoughNodeRegisters() {
    node(N1, 4);
    control.createActor(spec("g1", ActorOptions.builder().cpus(1).gpus(1).build()));
    control.createActor(spec("g2", ActorOptions.builder().cpus(1).gpus(1).build()));
    assertThat(effects.starts()).isEmpty();
    ClusterStatus status = control.status();
    assertThat(status.pendingDemands()).isEmpty();
    assertThat(status.infeasibleDemands()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo("actor");
      assertThat(d.count()).isEqualTo(2);
      assertThat(d.resources()).isEqualTo(ResourceSet.of("CPU", 1, "GPU", 1));
      assertThat(d.reason()).startsWith("infeasible: ").contains("n1={CPU: 4}");
    });
    assertThat(info("g1").pendingReason()).startsWith("infeasible: ");

    control.registerNode(GPU_NODE, "g:2552", false, Map.of(), ResourceSet.of("CPU", 8, "GPU", 2), List.of("0", "1"),
        ResourceSet.of("CPU", 8, "GPU", 2), Set.of());
    assertThat(effects.starts()).containsExactly(new Start(GPU_NODE, ActorId.of("g1"), 0),
        new Start(GPU_NODE, ActorId.of("g2"), 0));
    assertThat(control.status().infeasibleDemands()).isEmpty();
    assertThat(control.status().pendingDemands()).isEmpty();
  }

  @Test
  void pendingDemandIsPlacedWhenAReportFreesRoom() {
    node(N1, 2);
    createAlive(spec("a", 2));
    control.resourceReport(N1, ResourceSet.EMPTY, Set.of("a#0"));
    control.createActor(spec("b", 2));
    assertThat(effects.starts()).isEmpty();
    assertThat(control.status().pendingDemands()).singleElement().satisfies(d -> {
      assertThat(d.count()).isEqualTo(1);
      assertThat(d.reason()).contains("available now");
    });
    control.killActor(ActorId.of("a"), "done");
    // The node has not reported the release yet: b keeps waiting.
    assertThat(effects.starts()).isEmpty();
    control.resourceReport(N1, ResourceSet.of("CPU", 2), Set.of());
    assertThat(effects.starts()).containsExactly(new Start(N1, ActorId.of("b"), 0));
    assertThat(control.status().pendingDemands()).isEmpty();
  }

  @Test
  void startsInFlightAreNotDoubleBookedBeforeTheNodeReports() {
    node(N1, 4);
    control.createActor(spec("a", 3));
    control.createActor(spec("b", 3));
    assertThat(effects.starts()).containsExactly(new Start(N1, ActorId.of("a"), 0));
    assertThat(control.status().nodes().get(0).resourcesAvailable()).isEqualTo(ResourceSet.of("CPU", 1));
    // The node's report now includes a's allocation: not subtracted twice...
    control.resourceReport(N1, ResourceSet.of("CPU", 1), Set.of("a#0"));
    assertThat(control.status().nodes().get(0).resourcesAvailable()).isEqualTo(ResourceSet.of("CPU", 1));
    // ...and a report that does not yet include it (sent before the start) does not free it either.
    control.resourceReport(N1, ResourceSet.of("CPU", 4), Set.of());
    assertThat(control.status().nodes().get(0).resourcesAvailable()).isEqualTo(ResourceSet.of("CPU", 1));
    assertThat(effects.starts()).hasSize(1);
    control.createActor(spec("c", 1));
    assertThat(effects.starts()).containsExactly(new Start(N1, ActorId.of("a"), 0), new Start(N1, ActorId.of("c"), 0));
    assertThat(info("b").state()).isEqualTo(ActorState.PENDING_CREATION);
    assertThat(info("b").nodeId()).isNull();
  }

  @Test
  void statusShowsNodeShapesIncludingDeadNodesWithTheirReason() {
    control.registerNode(N1, "10.0.0.1:2552", true, Map.of("zone", "a"), ResourceSet.of("CPU", 4, "GPU", 1),
        List.of("0"), ResourceSet.of("CPU", 4, "GPU", 1), Set.of());
    node(N2, 2);
    control.createActor(spec("a", ActorOptions.builder().cpus(1).gpus(0.5).build()));
    control.nodeDead(N2, "left the cluster");

    ClusterStatus status = control.status();
    assertThat(status.aliveNodes()).isEqualTo(1);
    assertThat(status.nodes()).containsExactly(
        new NodeInfo(N1, "10.0.0.1:2552", NodeInfo.ALIVE, true, Map.of("zone", "a"), ResourceSet.of("CPU", 4, "GPU", 1),
            ResourceSet.of("CPU", 3, "GPU", 0.5), List.of("0"), null),
        new NodeInfo(N2, "n2:2552", NodeInfo.DEAD, false, Map.of(), ResourceSet.of("CPU", 2), ResourceSet.EMPTY,
            List.of(), "left the cluster"));
    assertThat(control.nodeByAddress("n2:2552")).hasValue(N2);
    // A dead node registering again is ignored.
    node(N2, 2);
    assertThat(control.status().aliveNodes()).isEqualTo(1);
  }

  @Test
  void nodeAffinityToADeadNodeIsInfeasible() {
    node(N1, 4);
    node(N2, 4);
    control.nodeDead(N2, "gone");
    control.createActor(spec("a", ActorOptions.builder().strategy(new SchedulingStrategy.NodeAffinity(N2, false)).build()));
    assertThat(effects.starts()).isEmpty();
    assertThat(info("a").pendingReason()).contains("node n2 is not alive");
  }

  @Test
  void tickRetriesAndNeverThrows() {
    control.tick();
    node(N1, 1);
    control.createActor(spec("a", 1));
    control.createActor(spec("b", 1));
    control.actorStarted(ActorId.of("a"), 0, N1);
    control.resourceReport(N1, ResourceSet.EMPTY, Set.of("a#0"));
    control.killActor(ActorId.of("a"), "x");
    control.resourceReport(N1, ResourceSet.of("CPU", 1), Set.of());
    assertThat(effects.starts()).extracting(Start::id).containsExactly(ActorId.of("a"), ActorId.of("b"));
    control.tick();
    assertThat(effects.starts()).hasSize(2);
  }
}
