package io.troupe.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.cluster.Counter;
import io.troupe.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The head is SIGKILLed and restarted with the same state directory: workers keep serving while it
 * is down, the new head rejoins them, and recovers its placement groups and actors from the node
 * agents' reports — bundles adopted (not booked twice, none leaked), actors adopted (not restarted).
 */
@Tag("e2e")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HeadRestartE2ETest {

  @Test
  void restartedHeadRecoversGroupsAndActorsWithoutDoubleBooking() throws Exception {
    Path state = Files.createTempDirectory("troupe-head-state");
    try (ProcessCluster pc = new ProcessCluster()) {
      int port = FreePorts.pick();
      int dashboard = FreePorts.pick();
      ProcessCluster.Node head = pc.start("head", "port=" + port, "dashboard=" + dashboard, "cpus=1", "fd=4000",
          "state=" + state);
      ProcessCluster.Node w1 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2", "fd=4000");
      ProcessCluster.Node w2 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2", "fd=4000");
      try (TroupeNode driver = E2E.driver(head, Duration.ofSeconds(4))) {
        Troupe troupe = driver.client();
        PlacementGroupId pg = troupe.createPlacementGroup(PlacementGroupSpec.builder().name("tp")
            .strategy(PlacementStrategy.STRICT_SPREAD).detached()
            .bundle(Bundle.of(Map.of("CPU", 1, "GPU", 1))).bundle(Bundle.of(Map.of("CPU", 1, "GPU", 1))).build());
        PlacementGroupInfo before = troupe.waitPlacementGroupReady(pg, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        ActorHandle<Counter> inGroup = troupe.createActor(Counter.class, ActorOptions.builder().cpus(0.5).gpus(1)
            .strategy(SchedulingStrategy.inGroup(pg, 0)).build(), 5);
        ActorHandle<Counter> plain = troupe.createActor(Counter.class, ActorOptions.builder().name("plain").cpus(1)
            .strategy(SchedulingStrategy.nodeAffinity(new NodeId(w2.nodeId()), false)).build(), 7);
        assertThat(inGroup.call(Counter::add, 1).get(30, TimeUnit.SECONDS)).isEqualTo(6);
        assertThat(plain.call(Counter::add, 1).get(30, TimeUnit.SECONDS)).isEqualTo(8);

        troupe.kvPut("app/checkpoint", "state-1".getBytes()).get(30, TimeUnit.SECONDS);
        pc.kill(head);
        // The data plane keeps serving while the head is down (cached locations, direct calls).
        assertThat(plain.call(Counter::add, 1).get(30, TimeUnit.SECONDS)).isEqualTo(9);

        long restartAt = System.nanoTime();
        ProcessCluster.Node head2 = pc.start("head", "port=" + port, "dashboard=" + dashboard, "cpus=1", "fd=4000",
            "state=" + state);
        JsonNode group = E2E.poll(() -> NodeFailureE2ETest.get(head2, "/api/placement_groups/" + pg.value()),
            g -> g.get("state").asText().equals("CREATED") && g.get("bundles").get(0).get("node_id").isTextual(), 60);
        System.out.printf("head restart to group CREATED: %.1f s%n", (System.nanoTime() - restartAt) / 1e9);
        for (int i = 0; i < 2; i++) {
          PlacementGroupInfo.BundleInfo b = before.bundles().get(i);
          JsonNode got = group.get("bundles").get(i);
          assertThat(got.get("node_id").asText()).isEqualTo(b.node().orElseThrow().value());
          assertThat(got.get("gpu_ids").get(0).asText()).isEqualTo(b.gpuIds().get(0));
        }
        // No double booking: each worker still has exactly one GPU free, as before the restart.
        JsonNode status = E2E.poll(() -> NodeFailureE2ETest.status(head2),
            s -> NodeFailureE2ETest.nodeState(s, w1.nodeId()).equals("ALIVE")
                && NodeFailureE2ETest.nodeState(s, w2.nodeId()).equals("ALIVE"), 30);
        for (String w : List.of(w1.nodeId(), w2.nodeId())) {
          assertThat(NodeFailureE2ETest.node(status, w).get("resources_available").get(ResourceSet.GPU).asDouble())
              .isEqualTo(1.0);
        }
        // Actors adopted, not restarted: state kept, no restart counted.
        JsonNode actors = E2E.poll(() -> NodeFailureE2ETest.get(head2, "/api/actors"),
            a -> a.size() >= 2 && allAlive(a), 30);
        for (JsonNode a : actors) {
          assertThat(a.get("num_restarts").asInt()).isZero();
        }
        assertThat(inGroup.call(Counter::add, 1).get(30, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(plain.call(Counter::add, 1).get(30, TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(driver.client().getActor("plain", Counter.class)).isPresent();
        assertThat(troupe.kvGet("app/checkpoint").get(30, TimeUnit.SECONDS).map(String::new)).hasValue("state-1");
      }
    }
  }

  static boolean allAlive(JsonNode actors) {
    for (JsonNode a : actors) {
      if (!a.get("state").asText().equals("ALIVE")) {
        return false;
      }
    }
    return true;
  }
}
