package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: {@code troupe start} spawns a head and two worker JVMs, {@code status --json}
 * shows three ALIVE nodes, {@code stop} stops them all. Needs the runtime's NodeProcess.
 */
@Tag("e2e")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterE2ETest {
  @TempDir
  Path home;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(home);
    cli.env.put("TROUPE_NODE_JVM_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
  }

  @AfterEach
  void stopEverything() {
    cli.run("stop", "--force");
  }

  @Test
  void startThreeNodesSeeThemAliveAndStopThem() throws Exception {
    int port = FreePorts.pick();
    int dashboard = FreePorts.pick();
    String head = "127.0.0.1:" + port;

    CliHarness.Result h = cli.run("start", "--head", "--port", String.valueOf(port),
        "--dashboard-port", String.valueOf(dashboard), "--num-cpus", "1", "--failure-detection", "3s");
    assertThat(h.code()).as(h.err()).isZero();
    assertThat(h.out()).contains("Started head node").contains("troupe start --address " + head);

    for (String zone : List.of("a", "b")) {
      CliHarness.Result w = cli.run("start", "--address", head, "--num-cpus", "1", "--num-gpus", "2",
          "--labels", "zone=" + zone, "--failure-detection", "3s");
      assertThat(w.code()).as(w.err()).isZero();
      assertThat(w.out()).contains("Started worker node");
    }
    assertThat(cli.session().liveNodes()).hasSize(3);

    JsonNode status = awaitAliveNodes(3, Duration.ofSeconds(60));
    assertThat(status.path("nodes")).filteredOn(n -> n.path("is_head").asBoolean()).hasSize(1);
    assertThat(cli.run("status").out()).contains("Cluster: 3 nodes alive");

    CliHarness.Result again = cli.run("start", "--head", "--port", String.valueOf(port), "--dashboard-port", "0");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).startsWith("troupe: port " + port + " is in use");

    List<Long> pids = cli.session().liveNodes().stream().map(NodeRecord::pid).toList();
    CliHarness.Result stop = cli.run("stop");
    assertThat(stop.code()).as(stop.err()).isZero();
    assertThat(stop.out().lines().filter(l -> l.startsWith("stopped "))).hasSize(3);
    assertThat(stop.out().lines().toList().getLast()).startsWith("stopped head node");
    assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    assertThat(cli.session().records()).isEmpty();
    assertThat(cli.run("stop").out()).isEqualTo("no Troupe nodes running from this machine\n");
  }

  private JsonNode awaitAliveNodes(int n, Duration timeout) throws Exception {
    // The nodes are other processes: there is no event to wait on, so poll.
    CliHarness.Result r = Poll.upTo(timeout).every(Duration.ofMillis(250)).until(n + " ALIVE nodes",
        () -> cli.run("status", "--json"), x -> x.code() == 0 && aliveNodes(x.out()) == n);
    return new ObjectMapper().readTree(r.out());
  }

  private static long aliveNodes(String statusJson) {
    try {
      return StatusView.list(new ObjectMapper().readTree(statusJson).path("nodes")).stream()
          .filter(x -> "ALIVE".equals(x.path("state").asText())).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
