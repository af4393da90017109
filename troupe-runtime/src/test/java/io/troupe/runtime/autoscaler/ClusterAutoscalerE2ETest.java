package io.troupe.runtime.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.e2e.AutoscaledNodeMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster autoscaler on a real head with real worker processes ({@code local} provider): a head without
 * GPUs gets a STRICT_SPREAD group of two {GPU: 1} bundles; two workers are launched, join, and the group is
 * CREATED; once the group is removed both are terminated after the idle timeout. A demand no node type can meet
 * is reported infeasible; a failing launch command ({@code command} provider) is reported with its output and
 * retried.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAutoscalerE2ETest {
  private TroupeNode head;

  @BeforeAll
  void head() {
    head = TroupeNode.start(NodeConfig.builder().head(true).port(0).dashboardPort(NodeConfig.NO_DASHBOARD)
        .numCpus(1.0).numGpus(0).memoryBytes(1L << 30).failureDetection(Duration.ofSeconds(4)).build());
  }

  @AfterAll
  void stop() {
    if (head != null) {
      head.close();
    }
  }

  private static List<String> workerCommand(io.troupe.runtime.autoscaler.spi.NodeLaunch l) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        AutoscaledNodeMain.class.getName()));
    cmd.addAll(l.startArgs());
    return cmd;
  }

  private static void await(String what, int seconds, BooleanSupplier ok) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " did not happen within " + seconds + " s");
      }
      LockSupport.parkNanos(100_000_000L);
    }
  }

  private long aliveWorkers() throws Exception {
    return head.client().status().get(10, TimeUnit.SECONDS).nodes().stream()
        .filter(n -> NodeInfo.ALIVE.equals(n.state()) && !n.isHead()).count();
  }

  @Test
  void launchesNodesForAStrictSpreadGroupAndTerminatesThemWhenIdle() throws Exception {
    ClusterConfig config = ClusterConfig.parse("""
        cluster_name: test
        max_workers: 3
        idle_timeout_minutes: 0.05
        update_interval_s: 0.5
        provider: {type: local, launch_timeout_s: 90}
        available_node_types:
          gpu: {resources: {CPU: 1, GPU: 1}, labels: {accelerator: T4}, max_workers: 2}
        """);
    Path logs = Files.createTempDirectory("troupe-autoscaled");
    LocalNodeProvider provider = new LocalNodeProvider(ClusterAutoscalerE2ETest::workerCommand, logs);
    try (AutoscalerService service = new AutoscalerService(head.client(), head.address(), config, provider)) {
      var troupe = head.client();
      PlacementGroupId pg = troupe.createPlacementGroup(PlacementGroupSpec.builder()
          .bundle(Map.of("GPU", 1)).bundle(Map.of("GPU", 1)).strategy(PlacementStrategy.STRICT_SPREAD)
          .lifetime(PlacementGroupSpec.Lifetime.DETACHED).build());
      var info = troupe.waitPlacementGroupReady(pg, Duration.ofSeconds(120)).get(125, TimeUnit.SECONDS);
      assertThat(info.state()).isEqualTo(PlacementGroupState.CREATED);
      assertThat(info.bundles().stream().map(b -> b.node().orElseThrow()).distinct()).hasSize(2);
      assertThat(provider.running()).isEqualTo(2);
      assertThat(aliveWorkers()).isEqualTo(2);

      // a demand no node type can meet stays pending and is reported infeasible with the reason
      PlacementGroupId big = troupe.createPlacementGroup(PlacementGroupSpec.builder().bundle(Map.of("GPU", 8))
          .lifetime(PlacementGroupSpec.Lifetime.DETACHED).build());
      await("the infeasible report", 20, () -> service.status() != null && service.status().infeasible().stream()
          .anyMatch(u -> u.reason().contains("no node type") && u.reason().contains("GPU: 8")));
      assertThat(provider.running()).isEqualTo(2); // nothing launched for it
      troupe.removePlacementGroup(big).get(10, TimeUnit.SECONDS);

      troupe.removePlacementGroup(pg).get(10, TimeUnit.SECONDS);
      await("idle nodes terminated", 60, () -> provider.running() == 0);
      await("terminated nodes gone from the cluster", 30, () -> {
        try {
          return aliveWorkers() == 0;
        } catch (Exception e) {
          return false;
        }
      });
      await("the status empty again", 10, () -> service.status().nodes().isEmpty());
    }
  }

  @Test
  void aFailingLaunchCommandIsReportedWithItsOutputAndRetried() throws Exception {
    ClusterConfig config = ClusterConfig.parse("""
        max_workers: 1
        update_interval_s: 0.3
        provider:
          type: command
          launch: 'echo "quota exceeded for GPUs in $TROUPE_NODE_TYPE" >&2; exit 3'
          terminate: 'true'
          launch_timeout_s: 10
        available_node_types:
          gpu: {resources: {GPU: 1}}
        """);
    try (AutoscalerService service = new AutoscalerService(head.client(), head.address(), config,
        CommandNodeProvider.of(config))) {
      PlacementGroupId pg = head.client().createPlacementGroup(PlacementGroupSpec.builder()
          .bundle(Bundle.of(Map.of("GPU", 1))).lifetime(PlacementGroupSpec.Lifetime.DETACHED).build());
      await("two failed attempts", 30, () -> service.status() != null && service.status().failures().size() >= 2);
      AutoscalerStatus.Failure f = service.status().failures().get(1);
      assertThat(f.reason()).contains("exited with code 3").contains("quota exceeded for GPUs in gpu");
      assertThat(f.attempts()).isEqualTo(2);
      assertThat(f.retryInSeconds()).isEqualTo(2.0); // back-off doubles
      head.client().removePlacementGroup(pg).get(10, TimeUnit.SECONDS);
    }
  }
}
