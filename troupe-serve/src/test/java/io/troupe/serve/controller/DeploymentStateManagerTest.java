package io.troupe.serve.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.DeploymentStatus;
import io.troupe.serve.api.DeploymentStatusTrigger;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ReplicaState;
import io.troupe.serve.controller.ClusterOps.HealthReport;
import io.troupe.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reconciler scripted Ray-style: update(); fake.setReady(...); update(); check. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DeploymentStateManagerTest {
  private final ManualClock clock = new ManualClock();
  private final FakeCluster cluster = new FakeCluster();

  private static DeploymentTarget target(int n, DeploymentConfig.Builder b) {
    DeploymentConfig c = b.name("D").numReplicas(n).build();
    return new DeploymentTarget(new DeploymentId("app", "D"), "com.example.D", List.of(), c, n);
  }

  private DeploymentStateManager manager(DeploymentTarget t) {
    return new DeploymentStateManager(t, cluster, clock, new SplittableRandom(1));
  }

  private static long count(DeploymentStateManager m, ReplicaState s) {
    return m.statusSnapshot().replicas().stream().filter(r -> r.state() == s).count();
  }

  private DeploymentStateManager healthy(int n, DeploymentConfig.Builder b) {
    DeploymentStateManager m = manager(target(n, b));
    m.update();
    cluster.readyAll("node-1");
    m.update();
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
    return m;
  }

  @Test
  void startsTargetReplicasAndBecomesHealthy() {
    DeploymentStateManager m = manager(target(3, DeploymentConfig.builder()));
    m.update();
    assertThat(cluster.started).hasSize(3);
    assertThat(count(m, ReplicaState.STARTING)).isEqualTo(3);
    assertThat(m.status()).isEqualTo(DeploymentStatus.UPDATING);
    assertThat(m.routingTable().replicas()).isEmpty();
    cluster.readyAll("node-1");
    m.update();
    assertThat(count(m, ReplicaState.RUNNING)).isEqualTo(3);
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.CONFIG_UPDATE_COMPLETED);
    assertThat(m.routingTable().replicas()).hasSize(3).allMatch(r -> r.node().value().equals("node-1"));
    m.update();
    assertThat(cluster.started).hasSize(3); // steady state starts nothing
  }

  @Test
  void codeChangeRollsOverWithoutDroppingBelowTarget() {
    DeploymentStateManager m = healthy(5, DeploymentConfig.builder().version("v1"));
    List<ReplicaId> v1 = List.copyOf(cluster.started.keySet());
    m.deploy(target(5, DeploymentConfig.builder().version("v2")));
    assertThat(m.status()).isEqualTo(DeploymentStatus.UPDATING);
    int ticks = 0;
    while (m.status() != DeploymentStatus.HEALTHY && ticks++ < 50) {
      m.update();
      assertThat(m.servingReplicas()).as("serving during rollout").isGreaterThanOrEqualTo(5);
      assertThat(count(m, ReplicaState.STARTING)).as("surge of max(1, 20%)").isLessThanOrEqualTo(1);
      cluster.readyAll("node-2");
      m.update();
      assertThat(m.servingReplicas()).isGreaterThanOrEqualTo(5);
      cluster.finishStops();
    }
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.CONFIG_UPDATE_COMPLETED);
    cluster.finishStops();
    m.update();
    assertThat(cluster.stopped.keySet()).containsExactlyInAnyOrderElementsOf(v1);
    assertThat(m.statusSnapshot().replicas()).hasSize(5).allMatch(r -> r.version().equals("v2"));
    // every old replica was stopped only after a new one was running
    assertThat(cluster.calls.indexOf("stop " + v1.get(0)))
        .isGreaterThan(cluster.calls.indexOf("start " + cluster.live().get(0)));
  }

  @Test
  void deployedAgainWhileDeletingIsUpdatingUntilNewReplicasRun() {
    DeploymentStateManager m = healthy(2, DeploymentConfig.builder());
    m.delete();
    m.update();
    m.deploy(target(2, DeploymentConfig.builder()));
    assertThat(m.status()).as("its replicas are stopping: not healthy").isEqualTo(DeploymentStatus.UPDATING);
    int ticks = 0;
    while (m.status() != DeploymentStatus.HEALTHY && ticks++ < 50) {
      m.update();
      cluster.readyAll("node-1");
    }
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
    assertThat(count(m, ReplicaState.RUNNING)).isEqualTo(2);
  }

  @Test
  void resourceChangeIsANewVersion() {
    DeploymentStateManager m = healthy(1, DeploymentConfig.builder());
    m.deploy(target(1, DeploymentConfig.builder().resources(Map.of("CPU", 2))));
    m.update();
    assertThat(cluster.started).hasSize(2);
    assertThat(cluster.stopped).isEmpty(); // old one keeps serving until the new one runs
    cluster.readyAll("node-1");
    m.update();
    assertThat(cluster.stopped).hasSize(1);
  }

  @Test
  void userConfigAndMaxOngoingUpdateInPlaceWithoutRestart() {
    DeploymentStateManager m = healthy(2, DeploymentConfig.builder().userConfig(Map.of("t", 1)));
    m.deploy(target(2, DeploymentConfig.builder().userConfig(Map.of("t", 2)).maxOngoingRequests(9)));
    m.update();
    assertThat(count(m, ReplicaState.UPDATING)).isEqualTo(2);
    assertThat(m.servingReplicas()).isEqualTo(2);
    assertThat(cluster.reconfigured.values()).allMatch(l -> l.equals(List.of(new ReplicaRuntimeConfig(Map.of("t", 2), 9))));
    cluster.readyAll("node-1");
    m.update();
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
    assertThat(m.routingTable().maxOngoingRequests()).isEqualTo(9);
    assertThat(cluster.started).hasSize(2);
    assertThat(cluster.stopped).isEmpty();
  }

  @Test
  void numReplicasChangeStartsOrStopsOnlyTheDifference() {
    DeploymentStateManager m = healthy(2, DeploymentConfig.builder());
    m.deploy(target(4, DeploymentConfig.builder()));
    assertThat(m.status()).isEqualTo(DeploymentStatus.UPSCALING);
    m.update();
    assertThat(cluster.started).hasSize(4);
    assertThat(cluster.stopped).isEmpty();
    cluster.readyAll("node-1");
    m.update();
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.UPSCALE_COMPLETED);
    m.deploy(target(1, DeploymentConfig.builder()));
    m.update();
    assertThat(cluster.stopped).hasSize(3);
    assertThat(cluster.reconfigured).isEmpty();
    cluster.finishStops();
    m.update();
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.DOWNSCALE_COMPLETED);
  }

  @Test
  void downscaleStopsStartingReplicasFirst() {
    DeploymentStateManager m = healthy(1, DeploymentConfig.builder());
    ReplicaId first = cluster.started.keySet().iterator().next();
    m.deploy(target(3, DeploymentConfig.builder()));
    m.update();
    m.deploy(target(1, DeploymentConfig.builder()));
    m.update();
    assertThat(cluster.stopped).hasSize(2).doesNotContainKey(first);
  }

  @Test
  void threeFailedHealthChecksInARowReplaceTheReplica() {
    DeploymentStateManager m = healthy(1, DeploymentConfig.builder().healthCheckPeriod(Duration.ofSeconds(10)));
    ReplicaId r = cluster.started.keySet().iterator().next();
    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofSeconds(10));
      m.update(); // starts a check
      cluster.setHealth(r, i == 2 ? new HealthReport.Healthy() : new HealthReport.Unhealthy("boom"));
      m.update();
    }
    assertThat(cluster.stopped).isEmpty(); // fail, ok, fail: not three in a row
    for (int i = 0; i < 2; i++) {
      clock.advance(Duration.ofSeconds(10));
      m.update();
      cluster.setHealth(r, new HealthReport.Unhealthy("boom"));
      m.update();
    }
    assertThat(cluster.stopped).containsKey(r);
    assertThat(m.status()).isEqualTo(DeploymentStatus.UNHEALTHY);
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.HEALTH_CHECK_FAILED);
    assertThat(m.message()).contains("failed its health check 3 times in a row: boom");
    assertThat(cluster.started).hasSize(2); // replacement started
    cluster.readyAll("node-1");
    cluster.finishStops();
    m.update();
    assertThat(m.status()).isEqualTo(DeploymentStatus.HEALTHY);
  }

  @Test
  void unansweredHealthCheckFailsAfterTimeout() {
    DeploymentStateManager m = healthy(1, DeploymentConfig.builder().healthCheckPeriod(Duration.ofSeconds(1))
        .healthCheckTimeout(Duration.ofSeconds(5)));
    ReplicaId r = cluster.started.keySet().iterator().next();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(1));
      m.update();
      clock.advance(Duration.ofSeconds(4));
      m.update();
      assertThat(cluster.stopped).isEmpty();
      clock.advance(Duration.ofSeconds(1));
      m.update();
    }
    assertThat(cluster.stopped).containsKey(r);
    assertThat(m.message()).contains("timed out");
  }

  @Test
  void deadReplicaIsReplacedWithItsPlacementGroup() {
    DeploymentStateManager m = healthy(1, DeploymentConfig.builder().resources(Map.of("CPU", 1, "GPU", 1))
        .placementGroupBundles(List.of(Bundle.of(Map.of("CPU", 1, "GPU", 1)), Bundle.of(Map.of("GPU", 1))))
        .placementGroupStrategy(PlacementStrategy.STRICT_PACK));
    ReplicaId r = cluster.started.keySet().iterator().next();
    ReplicaStartSpec spec = cluster.started.get(r);
    assertThat(spec.placementGroup()).isPresent();
    assertThat(spec.placementGroup().get().bundles()).hasSize(2);
    assertThat(spec.placementGroup().get().strategy()).isEqualTo(PlacementStrategy.STRICT_PACK);
    assertThat(spec.placementGroup().get().name()).contains(ClusterOps.placementGroupName(r));
    cluster.kill(r, "node lost");
    m.update();
    assertThat(cluster.removedGroups).containsExactly(FakeCluster.groupOf(r));
    assertThat(m.status()).isEqualTo(DeploymentStatus.UNHEALTHY);
    assertThat(m.message()).contains("died: node lost");
    assertThat(cluster.started).hasSize(2);
    assertThat(m.routingTable().replicas()).isEmpty(); // dropped at once
  }

  @Test
  void constructorFailuresExhaustTheRetryBudget() {
    DeploymentStateManager m = manager(target(1, DeploymentConfig.builder()));
    for (int i = 0; i < 10 && m.status() != DeploymentStatus.DEPLOY_FAILED; i++) {
      m.update();
      for (ReplicaId id : cluster.live()) {
        cluster.setFailed(id, "ctor exploded #" + i);
      }
      m.update();
      cluster.finishStops();
    }
    assertThat(m.status()).isEqualTo(DeploymentStatus.DEPLOY_FAILED);
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.REPLICA_STARTUP_FAILED);
    assertThat(m.message()).contains("failed to start 3 times in a row").contains("ctor exploded #2");
    assertThat(cluster.started).hasSize(3); // budget = 3 per target replica
    m.update();
    assertThat(cluster.started).hasSize(3);
    m.deploy(target(1, DeploymentConfig.builder().version("fixed")));
    m.update();
    assertThat(cluster.started).hasSize(4); // a new deploy gets a new budget
  }

  @Test
  void deleteStopsGracefully() {
    DeploymentStateManager m = healthy(2, DeploymentConfig.builder().gracefulShutdownWaitLoop(Duration.ofSeconds(1))
        .gracefulShutdownTimeout(Duration.ofSeconds(7)));
    m.delete();
    m.update();
    assertThat(cluster.stopped.values()).hasSize(2)
        .allMatch(d -> d[0].equals(Duration.ofSeconds(1)) && d[1].equals(Duration.ofSeconds(7)));
    assertThat(m.isDeleted()).isFalse();
    assertThat(m.routingTable().replicas()).isEmpty();
    cluster.finishStops();
    m.update();
    assertThat(m.isDeleted()).isTrue();
  }

  @Test
  void reconcileNeverThrows() {
    DeploymentStateManager m = new DeploymentStateManager(target(1, DeploymentConfig.builder()), new FakeCluster() {
      @Override
      public ClusterOps.ReplicaReport poll(ReplicaId id) {
        throw new IllegalStateException("transport down");
      }
    }, clock, new SplittableRandom(1));
    m.update();
    m.update();
    assertThat(m.trigger()).isEqualTo(DeploymentStatusTrigger.INTERNAL_ERROR);
    assertThat(m.message()).contains("transport down");
  }
}
