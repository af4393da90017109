package io.troupe.serve.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ReplicaState;
import io.troupe.testkit.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checkpoint, restore, adoption and leak clean-up of a restarted controller, on the scripted
 * {@link FakeCluster} with a manual clock; each restore goes through the JSON codec, as on a real
 * head restart.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControllerRecoveryTest {
  private static final DeploymentId MODEL = new DeploymentId("app", "Model");
  private final ManualClock clock = new ManualClock();
  private final FakeCluster cluster = new FakeCluster();
  private final ServeController controller = new ServeController(cluster, clock, new SplittableRandom(7));

  static final class Model {
  }

  static final class Ingress {
  }

  private static Application app(int models) {
    BoundDeployment model = BoundDeployment.bind(Model.class, DeploymentConfig.builder().numReplicas(models)
        .resources(Map.of("CPU", 1)).placementGroupBundles(List.of(io.troupe.runtime.api.Bundle.of(Map.of("CPU", 1))))
        .gracefulShutdownTimeout(Duration.ofSeconds(1)));
    return Application.of(BoundDeployment.bind(Ingress.class, null, model));
  }

  private List<ReplicaId> models(FakeCluster c) {
    return c.started.keySet().stream().filter(r -> r.deployment().equals(MODEL)).toList();
  }

  /** The checkpoint a restarted head reads: the last one saved, through the codec. */
  private ControllerCheckpoint lastSaved() {
    ControllerCheckpoint cp = cluster.checkpoints.get(cluster.checkpoints.size() - 1);
    return CheckpointCodec.decode(CheckpointCodec.encode(cp));
  }

  private static Map<PlacementGroupId, String> groupsOf(List<ReplicaId> replicas) {
    Map<PlacementGroupId, String> out = new HashMap<>();
    replicas.forEach(r -> out.put(FakeCluster.groupOf(r), ClusterOps.placementGroupName(r)));
    return out;
  }

  @Test
  void checkpointKeepsActorIdsAndIsSavedOnlyWhenSomethingChanged() {
    controller.deploy("app", Optional.of("/"), app(2));
    controller.update();
    int afterDeploy = cluster.checkpoints.size();
    cluster.readyAll("node-a");
    controller.update(); // replicas ready: node, group and actor are new facts
    assertThat(cluster.checkpoints).hasSize(afterDeploy + 1);
    assertThat(lastSaved().applications().get(0).deployments()).flatMap(ControllerCheckpoint.Deployment::replicas)
        .allSatisfy(r -> {
          assertThat(r.actor()).contains(FakeCluster.actorOf(r.id()));
          assertThat(r.node()).contains(NodeId.of("node-a"));
        });
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMillis(100));
      controller.update();
    }
    assertThat(cluster.checkpoints).hasSize(afterDeploy + 1); // nothing changed: nothing written
    clock.advance(ServeController.RESAVE_PERIOD);
    controller.update();
    assertThat(cluster.checkpoints).hasSize(afterDeploy + 2); // re-saved in case a write was lost
  }

  @Test
  void restoredControllerAdoptsAliveReplicasKeepsRoutingAndReplacesOnlyDeadOnes() {
    controller.deploy("app", Optional.of("/"), app(3));
    controller.update();
    cluster.readyAll("node-a");
    controller.update();
    List<ReplicaId> models = models(cluster);
    ReplicaId dead = models.get(0);
    Set<ReplicaId> alive = new HashSet<>(cluster.started.keySet());
    alive.remove(dead);

    FakeCluster fresh = new FakeCluster();
    ServeController.Restored r = ServeController.restore(lastSaved(), new ClusterSnapshot(alive, groupsOf(models)),
        fresh, clock, new SplittableRandom(8));
    ServeController c2 = r.controller();
    assertThat(r.report().adopted()).containsExactlyInAnyOrderElementsOf(alive);
    assertThat(r.report().lost()).containsExactly(dead);
    assertThat(r.report().leakedGroupsRemoved()).containsExactly(FakeCluster.groupOf(dead));
    // Before the wiring re-attaches, routers already get the adopted replicas (with their actors).
    RoutingTable t = c2.routingTables().get(MODEL);
    assertThat(t.replicas()).extracting(RoutingTable.Replica::id).containsExactlyInAnyOrderElementsOf(
        models.subList(1, 3));
    assertThat(t.replicas()).allMatch(x -> x.actor().equals(Optional.of(FakeCluster.actorOf(x.id()))));

    alive.forEach(id -> fresh.setReady(id, "node-a"));
    c2.update();
    assertThat(fresh.started).hasSize(1); // only the dead one is replaced
    assertThat(fresh.started.keySet()).doesNotContainAnyElementsOf(alive);
    assertThat(fresh.count("stop ")).isZero();
    fresh.readyAll("node-b");
    c2.update();
    assertThat(c2.status().applications().get("app").status()).isEqualTo(ApplicationStatus.RUNNING);
    assertThat(c2.status().applications().get("app").deployments().get("Model").replicas())
        .allMatch(x -> x.state() == ReplicaState.RUNNING).hasSize(3);
  }

  @Test
  void replicaRecordedButNeverStartedLeavesOnlyALeakedGroupThatIsRemoved() {
    controller.deploy("app", Optional.of("/"), app(1));
    controller.update(); // write-ahead: the checkpoint lists the replicas, then they start
    cluster.readyAll("node-a");
    controller.update();
    // Scale up; the new replica is checkpointed, its group created, then the head dies before its actor runs.
    controller.scaleDeployment(MODEL, 2);
    controller.update();
    ControllerCheckpoint cp = lastSaved();
    ReplicaId unstarted = models(cluster).get(1);
    assertThat(cp.applications().get(0).deployments()).flatMap(ControllerCheckpoint.Deployment::replicas)
        .extracting(ControllerCheckpoint.Replica::id).contains(unstarted);
    Set<ReplicaId> alive = new HashSet<>(cluster.started.keySet());
    alive.remove(unstarted);
    PlacementGroupId userGroup = PlacementGroupId.of("user");
    Map<PlacementGroupId, String> groups = groupsOf(models(cluster));
    groups.put(userGroup, "my-own-group");

    FakeCluster fresh = new FakeCluster();
    ServeController.Restored r = ServeController.restore(cp, new ClusterSnapshot(alive, groups), fresh, clock,
        new SplittableRandom(9));
    assertThat(r.report().lost()).containsExactly(unstarted);
    assertThat(r.report().leakedGroupsRemoved()).containsExactly(FakeCluster.groupOf(unstarted));
    assertThat(fresh.removedGroups).doesNotContain(userGroup);
    alive.forEach(id -> fresh.setReady(id, "node-a"));
    r.controller().update();
    assertThat(fresh.started).hasSize(1); // the lost one is started afresh, under a new id
    assertThat(fresh.started.keySet()).doesNotContain(unstarted);
  }

  @Test
  void replicaBeingStoppedIsStoppedNotAdoptedAndUnknownReplicasAreStopped() {
    controller.deploy("app", Optional.of("/"), app(2));
    controller.update();
    cluster.readyAll("node-a");
    controller.update();
    controller.scaleDeployment(MODEL, 1); // one Model replica starts stopping
    controller.update();
    ReplicaId stopping = cluster.stopped.keySet().iterator().next();
    ReplicaId orphan = new ReplicaId(MODEL, "0rphan00"); // started after the last checkpoint
    Set<ReplicaId> alive = new HashSet<>(cluster.started.keySet());
    alive.add(orphan);
    Map<PlacementGroupId, String> groups = groupsOf(models(cluster));
    groups.put(PlacementGroupId.of("pg-orphan"), ClusterOps.placementGroupName(orphan));

    FakeCluster fresh = new FakeCluster();
    ServeController.Restored r = ServeController.restore(lastSaved(), new ClusterSnapshot(alive, groups), fresh, clock,
        new SplittableRandom(10));
    assertThat(r.report().orphansStopped()).containsExactly(orphan);
    assertThat(r.report().leakedGroupsRemoved()).containsExactly(PlacementGroupId.of("pg-orphan"));
    assertThat(fresh.calls).contains("stop " + stopping, "stop " + orphan);
    ServeController c2 = r.controller();
    assertThat(c2.routingTables().get(MODEL).replicas()).extracting(RoutingTable.Replica::id)
        .doesNotContain(stopping);
    alive.stream().filter(id -> !id.equals(stopping) && !id.equals(orphan)).forEach(id -> fresh.setReady(id, "node-a"));
    fresh.finishStop(stopping);
    c2.update();
    assertThat(fresh.removedGroups).contains(FakeCluster.groupOf(stopping)); // its group goes with it
    assertThat(fresh.started).isEmpty();
    assertThat(c2.status().applications().get("app").status()).isEqualTo(ApplicationStatus.RUNNING);
  }

  @Test
  void clusterSnapshotKeepsOnlyLiveReplicaActorsAndLiveServeGroups() {
    String cls = "io.troupe.serve.cluster.ReplicaActor";
    ReplicaId a = new ReplicaId(MODEL, "aaaa0001");
    ReplicaId b = new ReplicaId(MODEL, "bbbb0002");
    List<ActorInfo> actors = List.of(
        actor(a.toString(), cls, ActorState.ALIVE), actor(b.toString(), cls, ActorState.DEAD),
        actor("not-a-replica", cls, ActorState.ALIVE), actor("x#y#z", "com.example.Other", ActorState.ALIVE),
        actor(null, cls, ActorState.ALIVE));
    List<PlacementGroupInfo> groups = List.of(group("g1", ClusterOps.placementGroupName(a), PlacementGroupState.CREATED),
        group("g2", ClusterOps.placementGroupName(b), PlacementGroupState.REMOVED),
        group("g3", "user", PlacementGroupState.CREATED));
    ClusterSnapshot s = ClusterSnapshot.of(actors, groups, cls);
    assertThat(s.aliveReplicas()).containsExactly(a);
    assertThat(s.servePlacementGroups()).containsOnlyKeys(PlacementGroupId.of("g1"));
  }

  private static ActorInfo actor(String name, String cls, ActorState state) {
    return new ActorInfo(ActorId.of("id-" + name), cls, name, state, NodeId.of("n"), 0, 0, ResourceSet.EMPTY, null,
        null);
  }

  private static PlacementGroupInfo group(String id, String name, PlacementGroupState state) {
    return new PlacementGroupInfo(PlacementGroupId.of(id), Optional.of(name), PlacementStrategy.PACK, state, 0,
        List.of(), null);
  }
}
