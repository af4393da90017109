package io.troupe.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.cluster.Counter;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A head and two workers as separate OS processes; SIGKILL of a worker is detected, the node is
 * marked DEAD with its resources gone, and its actors restart elsewhere or die per their policy.
 */
@Tag("e2e")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NodeFailureE2ETest {

  @Test
  void sigkilledWorkerIsDetectedAndActorsRestartElsewhere() throws Exception {
    try (ProcessCluster pc = new ProcessCluster()) {
      int port = FreePorts.pick();
      ProcessCluster.Node head = pc.start("head", "port=" + port, "cpus=2", "fd=4000");
      ProcessCluster.Node w1 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2", "fd=4000");
      ProcessCluster.Node w2 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2", "fd=4000");

      // This test JVM joins as a resource-less driver node.
      try (TroupeNode driver = TroupeNode.start(NodeConfig.builder().headAddress(head.address()).numCpus(0.0)
          .numGpus(0).memoryBytes(0L).failureDetection(Duration.ofSeconds(4)).build())) {
        Troupe troupe = driver.client();
        NodeId victim = new NodeId(w1.nodeId());
        ActorHandle<Counter> survivor = troupe.createActor(Counter.class, ActorOptions.builder().cpus(1).gpus(1)
            .maxRestarts(1).strategy(SchedulingStrategy.nodeAffinity(victim, true)).build(), 5);
        ActorHandle<Counter> mortal = troupe.createActor(Counter.class, ActorOptions.builder().cpus(1)
            .strategy(SchedulingStrategy.nodeAffinity(victim, false)).build());
        assertThat(survivor.call(Counter::node).get(30, TimeUnit.SECONDS)).isEqualTo(w1.nodeId());
        assertThat(mortal.call(Counter::node).get(30, TimeUnit.SECONDS)).isEqualTo(w1.nodeId());
        assertThat(survivor.call(Counter::add, 1).get(10, TimeUnit.SECONDS)).isEqualTo(6);

        JsonNode before = status(head);
        assertThat(before.get("nodes")).hasSize(4);

        long killedAt = System.nanoTime();
        pc.kill(w1);

        JsonNode after = poll(() -> status(head), s -> nodeState(s, w1.nodeId()).equals("DEAD"), 60);
        double detectSeconds = (System.nanoTime() - killedAt) / 1e9;
        JsonNode deadNode = node(after, w1.nodeId());
        assertThat(deadNode.get("death_reason").asText()).contains("unreachable");
        assertThat(deadNode.get("resources_available").size()).isZero();
        assertThat(nodeState(after, w2.nodeId())).isEqualTo("ALIVE");

        ActorInfo restarted = poll(() -> survivor.info().join(), i -> i.state() == ActorState.ALIVE
            && !i.nodeId().equals(victim), 60);
        assertThat(restarted.numRestarts()).isEqualTo(1);
        assertThat(restarted.nodeId().value()).isEqualTo(w2.nodeId());
        // Fresh instance: constructor args preserved, state starts again.
        assertThat(survivor.call(Counter::add, 1).get(30, TimeUnit.SECONDS)).isEqualTo(6);

        ActorInfo dead = poll(() -> mortal.info().join(), i -> i.state() == ActorState.DEAD, 30);
        assertThat(dead.deathCause()).contains(w1.nodeId()).contains("died");
        assertThatThrownBy(() -> mortal.call(Counter::get).get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(ActorDiedException.class);

        JsonNode actors = get(head, "/api/actors");
        assertThat(actors.size()).isGreaterThanOrEqualTo(2);
        System.out.printf("node death detected in %.1f s%n", detectSeconds);
      }
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static JsonNode status(ProcessCluster.Node head) {
    return get(head, "/api/cluster/status");
  }

  static JsonNode get(ProcessCluster.Node head, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(head.dashboardUrl() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode node(JsonNode status, String id) {
    for (JsonNode n : status.get("nodes")) {
      if (n.get("node_id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id + " in " + status);
  }

  static String nodeState(JsonNode status, String id) {
    return node(status, id).get("state").asText();
  }

  static <T> T poll(Supplier<T> get, java.util.function.Predicate<T> ok, int seconds) {
    return Poll.upTo(Duration.ofSeconds(seconds)).every(Duration.ofMillis(100)).await("condition", get, ok);
  }
}
