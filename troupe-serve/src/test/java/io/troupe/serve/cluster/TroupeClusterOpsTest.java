package io.troupe.serve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.LocalCluster;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.controller.RoutingTable;
import io.troupe.serve.controller.ServeController;
import io.troupe.serve.http.Hello;
import io.troupe.testkit.Poll;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The controller on a real 2-worker cluster through {@link TroupeClusterOps}: start, call, stop. */
@Timeout(60)
class TroupeClusterOpsTest {

  @Test
  void startsReplicasInTheirOwnPlacementGroupsAndStopsThem() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).dashboard(false).build())) {
      ReplicaDirectory dir = new ReplicaDirectory(cluster.troupe());
      TroupeClusterOps ops = new TroupeClusterOps(cluster.troupe(), dir, Clock.systemUTC(), Duration.ofSeconds(30),
          Duration.ofMillis(500));
      try (ServeControllerLoop loop = new ServeControllerLoop(
          new ServeController(ops, Clock.systemUTC(), new Random(1)), Duration.ofMillis(50))) {
        DeploymentConfig.Builder code = DeploymentConfig.builder().numReplicas(2)
            .placementGroupBundles(List.of(io.troupe.runtime.api.Bundle.of(Map.of("CPU", 1))));
        loop.submit(c -> {
          c.deploy("app", Optional.of("/"), Application.of(BoundDeployment.bind(Hello.class, code)));
          return null;
        }).get();
        DeploymentId id = new DeploymentId("app", "Hello");
        // The snapshot is published after each tick, so right after deploy() it may not list the app yet.
        await(() -> {
          var app = loop.snapshot().status().applications().get("app");
          return app != null && app.status() == ApplicationStatus.RUNNING;
        });
        RoutingTable table = loop.snapshot().routingTables().get(id);
        assertThat(table.replicas()).hasSize(2);
        assertThat(cluster.troupe().placementGroups().get()).hasSize(2)
            .allSatisfy(g -> assertThat(g.name().orElseThrow()).startsWith("serve-replica:app#Hello#"));
        for (RoutingTable.Replica r : table.replicas()) {
          ReplicaResult res = dir.handle(r.id()).<ReplicaResult>call("handleRequest", ServeRequest.get("/", "name=x"))
              .get();
          ServeResponse resp = (ServeResponse) ((ReplicaResult.Ok) res).value();
          assertThat(resp.bodyAsString()).isEqualTo("hello x");
          assertThat(resp.headers()).containsEntry("x-troupe-replica", r.id().toString())
              .containsEntry("x-troupe-node", r.node().toString());
        }
        loop.submit(c -> {
          c.delete("app");
          return null;
        }).get();
        await(() -> loop.snapshot().status().applications().isEmpty());
        await(() -> cluster.troupe().placementGroups().join().stream()
            .allMatch(g -> g.state() == io.troupe.runtime.api.PlacementGroupState.REMOVED));
        assertThat(cluster.troupe().actors().get()).filteredOn(a -> a.className().endsWith("ReplicaActor"))
            .allSatisfy(a -> assertThat(a.state()).isEqualTo(io.troupe.runtime.api.ActorState.DEAD));
      }
    }
  }

  static void await(BooleanSupplier condition) {
    Poll.upTo(Duration.ofSeconds(30)).every(Duration.ofMillis(20)).await("condition", condition);
  }
}
