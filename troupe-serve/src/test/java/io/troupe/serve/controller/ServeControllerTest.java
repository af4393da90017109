package io.troupe.serve.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ReplicaState;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.config.ServeConfigParser;
import io.troupe.testkit.ManualClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServeControllerTest {
  private final ManualClock clock = new ManualClock();
  private final FakeCluster cluster = new FakeCluster();
  private final ServeController controller = new ServeController(cluster, clock, new SplittableRandom(7));

  static final class Model {
  }

  static final class Ingress {
  }

  private static Application app(int modelReplicas) {
    BoundDeployment model = BoundDeployment.bind(Model.class, DeploymentConfig.builder().numReplicas(modelReplicas)
        .resources(Map.of("CPU", 1)).placementGroupBundles(List.of(io.troupe.runtime.api.Bundle.of(Map.of("CPU", 1)))));
    return Application.of(BoundDeployment.bind(Ingress.class, null, model));
  }

  @Test
  void deploysAnApplicationAndReportsRaysShape() {
    controller.deploy("app", Optional.of("/"), app(2));
    controller.update();
    assertThat(controller.status().applications().get("app").status()).isEqualTo(ApplicationStatus.DEPLOYING);
    cluster.readyAll("node-a");
    controller.update();
    ServeStatus.Application a = controller.status().applications().get("app");
    assertThat(a.status()).isEqualTo(ApplicationStatus.RUNNING);
    assertThat(a.routePrefix()).contains("/");
    assertThat(a.ingress()).isEqualTo("Ingress");
    assertThat(a.deployments().keySet()).containsExactly("Model", "Ingress");
    assertThat(a.deployments().get("Model").replicas()).hasSize(2)
        .allMatch(r -> r.nodeId().equals(Optional.of("node-a")) && r.state() == ReplicaState.RUNNING
            && r.placementGroupId().isPresent());
    assertThat(controller.routingTables().get(new DeploymentId("app", "Model")).replicas()).hasSize(2);
  }

  @Test
  void checkpointIsWrittenBeforeReplicasStart() {
    controller.deploy("app", Optional.of("/"), app(1));
    controller.update();
    int cp = cluster.calls.indexOf("checkpoint");
    int firstStart = cluster.calls.indexOf(cluster.calls.stream().filter(c -> c.startsWith("start")).findFirst()
        .orElseThrow());
    assertThat(cp).isLessThan(firstStart);
    ControllerCheckpoint saved = cluster.checkpoints.get(cluster.checkpoints.size() - 1);
    assertThat(saved.applications().get(0).deployments()).flatMap(ControllerCheckpoint.Deployment::replicas)
        .extracting(ControllerCheckpoint.Replica::id).containsExactlyInAnyOrderElementsOf(cluster.started.keySet());
  }

  @Test
  void restartedControllerReadoptsReplicasAndCleansLeaks() {
    controller.deploy("app", Optional.of("/"), app(3));
    controller.update();
    cluster.readyAll("node-a");
    controller.update();
    ControllerCheckpoint cp = controller.checkpoint();
    List<ReplicaId> models = cluster.started.keySet().stream().filter(r -> r.deployment().name().equals("Model"))
        .toList();
    ReplicaId lost = models.get(0);
    ReplicaId orphan = new ReplicaId(new DeploymentId("app", "Model"), "feedbeef");
    Set<ReplicaId> alive = new java.util.HashSet<>(cluster.started.keySet());
    alive.remove(lost);
    alive.add(orphan);
    Map<PlacementGroupId, String> groups = new HashMap<>();
    for (ReplicaId r : models) {
      groups.put(FakeCluster.groupOf(r), ClusterOps.placementGroupName(r));
    }
    groups.put(PlacementGroupId.of("pg-orphan"), ClusterOps.placementGroupName(orphan));
    groups.put(PlacementGroupId.of("not-ours"), "user-group");

    FakeCluster fresh = new FakeCluster();
    for (ReplicaId r : alive) {
      fresh.setReady(r, "node-a"); // the wiring re-attached to them
    }
    ServeController.Restored restored = ServeController.restore(cp, new ClusterSnapshot(alive, groups), fresh, clock,
        new SplittableRandom(8));
    assertThat(restored.report().lost()).containsExactly(lost);
    assertThat(restored.report().orphansStopped()).containsExactly(orphan);
    assertThat(restored.report().leakedGroupsRemoved())
        .containsExactlyInAnyOrder(FakeCluster.groupOf(lost), PlacementGroupId.of("pg-orphan"));
    assertThat(fresh.removedGroups).doesNotContain(PlacementGroupId.of("not-ours"));
    ServeController c2 = restored.controller();
    assertThat(c2.status().applications().get("app").deployments().get("Model").replicas())
        .allMatch(r -> r.state() == ReplicaState.RECOVERING);
    c2.update();
    assertThat(fresh.started).hasSize(1); // only the lost replica is replaced; none restarted
    assertThat(fresh.started.keySet()).doesNotContainAnyElementsOf(alive);
    fresh.readyAll("node-b");
    c2.update();
    assertThat(c2.status().applications().get("app").status()).isEqualTo(ApplicationStatus.RUNNING);
    assertThat(fresh.count("stop ")).isEqualTo(1); // just the orphan
  }

  @Test
  void applyConfigWithOverridesFailuresAndDeletion() {
    controller.deploy("old", Optional.of("/old"), app(1));
    String yaml = """
        applications:
          - name: good
            route_prefix: /good
            import_path: com.example.Good
            deployments:
              - name: Model
                num_replicas: 2
                user_config: {threshold: 0.5}
          - name: bad
            route_prefix: /bad
            import_path: com.example.Missing
        """;
    controller.apply(ServeConfigParser.parse(yaml), ac -> {
      if (ac.importPath().equals("com.example.Missing")) {
        throw new ClassNotFoundException("com.example.Missing");
      }
      return app(1);
    });
    controller.update();
    cluster.readyAll("node-a");
    controller.update();
    cluster.finishStops();
    controller.update();
    ServeStatus s = controller.status();
    assertThat(s.applications()).doesNotContainKey("old");
    assertThat(s.applications().get("bad").status()).isEqualTo(ApplicationStatus.DEPLOY_FAILED);
    assertThat(s.applications().get("bad").message()).contains("com.example.Missing");
    ServeStatus.Deployment model = s.applications().get("good").deployments().get("Model");
    assertThat(model.targetNumReplicas()).isEqualTo(2);
    assertThat(cluster.started.values()).filteredOn(sp -> sp.id().deployment().app().equals("good")
        && sp.id().deployment().name().equals("Model")).allMatch(sp -> sp.runtime().userConfig()
        .equals(Map.of("threshold", 0.5)));
    assertThat(s.applications().get("good").status()).isEqualTo(ApplicationStatus.RUNNING);

    controller.apply(ServeConfigParser.parse("""
        applications:
          - {name: good, route_prefix: /good, import_path: x, deployments: [{name: Nope, num_replicas: 1}]}
        """), ac -> app(1));
    assertThat(controller.status().applications().get("good").message()).contains("does not have");
  }

  /**
   * {@code placement_group_strategy} alone in a config file: the code's bundles stay (an LLM deployment derives them
   * from its model config) and the gang policy set in code reaches the replica's placement group spec; for a
   * deployment whose code has no bundles the application fails with the cross-field message.
   */
  @Test
  void aStrategyOverrideAloneKeepsTheCodesBundlesAndGang() {
    io.troupe.runtime.api.GangPolicy gang = new io.troupe.runtime.api.GangPolicy(2, java.time.Duration.ofMillis(100),
        java.time.Duration.ofSeconds(1));
    Application withBundles = Application.of(BoundDeployment.bind(Model.class, DeploymentConfig.builder()
        .resources(Map.of("CPU", 1)).placementGroupBundles(List.of(io.troupe.runtime.api.Bundle.of(Map.of("CPU", 2)),
            io.troupe.runtime.api.Bundle.of(Map.of("CPU", 1)))).placementGroupGang(gang)));
    controller.apply(ServeConfigParser.parse("""
        applications:
          - {name: llm, route_prefix: /, import_path: x, deployments: [{name: Model, placement_group_strategy: STRICT_SPREAD}]}
          - {name: plain, route_prefix: /plain, import_path: y, deployments: [{name: Ingress, placement_group_strategy: SPREAD}]}
        """), ac -> ac.name().equals("llm") ? withBundles : Application.of(BoundDeployment.bind(Ingress.class, null)));
    controller.update();
    ReplicaStartSpec spec = cluster.started.values().stream()
        .filter(sp -> sp.id().deployment().app().equals("llm")).findFirst().orElseThrow();
    io.troupe.runtime.api.PlacementGroupSpec pg = spec.placementGroup().orElseThrow();
    assertThat(pg.strategy()).isEqualTo(io.troupe.runtime.api.PlacementStrategy.STRICT_SPREAD);
    assertThat(pg.bundles()).hasSize(2);
    assertThat(pg.gang()).contains(gang);
    assertThat(controller.status().applications().get("plain").status()).isEqualTo(ApplicationStatus.DEPLOY_FAILED);
    assertThat(controller.status().applications().get("plain").message())
        .contains("placement_group_bundles must also be provided");
  }

  @Test
  void deployFailedDeploymentFailsTheApplication() {
    controller.deploy("app", Optional.of("/"), app(1));
    for (int i = 0; i < 10; i++) {
      controller.update();
      cluster.live().stream().filter(r -> r.deployment().name().equals("Model"))
          .forEach(r -> cluster.setFailed(r, "CUDA out of memory"));
      cluster.live().stream().filter(r -> r.deployment().name().equals("Ingress"))
          .forEach(r -> cluster.setReady(r, "n"));
      controller.update();
      cluster.finishStops();
    }
    ServeStatus.Application a = controller.status().applications().get("app");
    assertThat(a.status()).isEqualTo(ApplicationStatus.DEPLOY_FAILED);
    assertThat(a.message()).contains("deployment 'Model'").contains("CUDA out of memory");
  }

  @Test
  void routePrefixesAreUniqueAndDeleteDrains() {
    controller.deploy("a", Optional.of("/x"), app(1));
    assertThatThrownBy(() -> controller.deploy("b", Optional.of("/x"), app(1))).isInstanceOf(ServeException.class)
        .hasMessageContaining("already used by application 'a'");
    controller.update();
    cluster.readyAll("n");
    controller.update();
    controller.delete("a");
    controller.update();
    assertThat(controller.status().applications().get("a").status()).isEqualTo(ApplicationStatus.DELETING);
    cluster.finishStops();
    controller.update();
    assertThat(controller.status().applications()).isEmpty();
    assertThat(cluster.removedGroups).hasSize(1); // the Model replica's group went with it
  }

  @Test
  void autoscalesOnOngoingRequestsAfterTheDelay() {
    BoundDeployment d = BoundDeployment.bind(Model.class, DeploymentConfig.builder().autoscaling(
        io.troupe.serve.api.AutoscalingConfig.builder().minReplicas(1).maxReplicas(4).targetOngoingRequests(2)
            .upscaleDelay(java.time.Duration.ofSeconds(30)).build()));
    controller.deploy("app", Optional.of("/"), Application.of(d));
    controller.update();
    cluster.readyAll("n");
    controller.update();
    DeploymentId id = new DeploymentId("app", "Model");
    controller.recordOngoingRequests(id, 7);
    controller.update();
    assertThat(controller.status().applications().get("app").deployments().get("Model").targetNumReplicas())
        .isEqualTo(1);
    clock.advance(java.time.Duration.ofSeconds(30));
    controller.recordOngoingRequests(id, 7); // reporters keep reporting; a silent one would drop out
    controller.update();
    ServeStatus.Deployment s = controller.status().applications().get("app").deployments().get("Model");
    assertThat(s.targetNumReplicas()).isEqualTo(4);
    assertThat(s.statusTrigger()).isEqualTo(io.troupe.serve.api.DeploymentStatusTrigger.AUTOSCALING);
    assertThat(controller.status().applications().get("app").status()).isEqualTo(ApplicationStatus.RUNNING);
    assertThat(cluster.started).hasSize(4);
  }
}
