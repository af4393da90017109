package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe up/down} and {@code start --autoscaling-config}: bad configs refused on one line; the status view. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AutoscalingCommandsTest {
  @TempDir
  Path home;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(home);
  }

  private Path file(String yaml) throws Exception {
    Path f = home.resolve("cluster-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private void usage(String expected, String... args) {
    CliHarness.Result r = cli.run(args);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).startsWith("troupe: ").contains(expected).doesNotContain("Exception");
    assertThat(cli.session().records()).isEmpty();
  }

  @Test
  void badClusterConfigsAreRefusedWithWhatToFix() throws Exception {
    usage("available_node_types.gpu: min_workers (2) is greater than max_workers (1)", "up",
        file("available_node_types: {gpu: {resources: {GPU: 1}, min_workers: 2, max_workers: 1}}").toString());
    usage("available_node_types.gpu: resources is required", "up",
        file("available_node_types: {gpu: {max_workers: 1}}").toString());
    usage("setup_commands is not a supported key", "start", "--head", "--autoscaling-config",
        file("setup_commands: [x]\navailable_node_types: {a: {resources: {CPU: 1}}}").toString());
    usage("cannot read the cluster config", "down", home.resolve("missing.yaml").toString());
    usage("--autoscaling-config is for the head only", "start", "--address", "127.0.0.1:6380",
        "--autoscaling-config", file("available_node_types: {a: {resources: {CPU: 1}}}").toString());
  }

  @Test
  void headNodeTypeBecomesTheHeadsResources() throws Exception {
    var c = io.troupe.runtime.autoscaler.ClusterConfig.parse("""
        head_node_type: head
        available_node_types:
          head: {resources: {CPU: 2, disk_gb: 10}, labels: {zone: a}}
          gpu: {resources: {GPU: 1}}
        """);
    assertThat(UpCommand.headArgs(c.nodeTypes().get("head"))).containsExactly("--num-cpus", "2.0", "--num-gpus", "0",
        "--resources", "{\"disk_gb\": 10.0}", "--labels", "zone=a");
  }

  @Test
  void statusShowsLaunchesFailuresAndUnmetDemand() throws Exception {
    var json = new ObjectMapper().readTree("""
        {"cluster_name": "demo", "provider": "command", "updated_at_ms": 0,
         "nodes": [{"launch_id": "l-1", "node_type": "gpu", "state": "IDLE", "node_id": "node-a",
                    "provider_node_id": "i-123", "for_s": 30, "idle_s": 12},
                   {"launch_id": "l-2", "node_type": "gpu", "state": "WAITING", "node_id": null,
                    "provider_node_id": "i-456", "for_s": 4, "idle_s": 0}],
         "failures": [{"node_type": "gpu", "what": "launch", "reason": "quota exceeded", "at_ms": 0,
                       "attempts": 2, "retry_in_s": 2}],
         "infeasible": [{"demand": "placement group big [{GPU: 8}]", "reason": "no node type offers {GPU: 8}"}],
         "at_limit": []}
        """);
    String s = AutoscalerView.render(json);
    assertThat(s).contains("Autoscaler (cluster demo, command provider)").contains("l-1").contains("IDLE")
        .contains("idle 12s").contains("i-456").contains("WAITING")
        .contains("failed: launch of a gpu node").contains("quota exceeded").contains("attempt 2")
        .contains("infeasible: placement group big [{GPU: 8}]: no node type offers {GPU: 8}");
    assertThat(AutoscalerView.render(new ObjectMapper().readTree("{\"enabled\": false}"))).isEmpty();
  }
}
