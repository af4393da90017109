package io.troupe.runtime.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterConfigTest {

  @Test
  void parsesRaysShapeWithDefaults() {
    ClusterConfig c = ClusterConfig.parse("""
        cluster_name: demo
        max_workers: 5
        idle_timeout_minutes: 0.5
        head_node_type: head
        provider: {type: command, launch: ./up.sh, terminate: ./down.sh, env: {TOKEN: s3cret}}
        available_node_types:
          head: {resources: {CPU: 2}}
          gpu:
            resources: {CPU: 8, GPU: 1, memory: 1000000}
            labels: {accelerator: H100}
            min_workers: 1
            max_workers: 2
            node_config: {instance_type: p5.xlarge}
        """);
    assertThat(c.clusterName()).isEqualTo("demo");
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.updateInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.workerTypes()).containsOnlyKeys("gpu");
    NodeType gpu = c.nodeTypes().get("gpu");
    assertThat(gpu.resources()).isEqualTo(ResourceSet.of(Map.of("CPU", 8, "GPU", 1, "memory", 1000000)));
    assertThat(gpu.labels()).containsEntry("accelerator", "H100");
    assertThat(gpu.nodeConfig()).containsEntry("instance_type", "p5.xlarge");
    assertThat(c.provider().env()).containsEntry("TOKEN", "s3cret");
    ClusterConfig d = ClusterConfig.parse("available_node_types: {cpu: {resources: {CPU: 1}}}");
    assertThat(d.maxWorkers()).isEqualTo(2);
    assertThat(d.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.provider().type()).isEqualTo("local");
    assertThat(d.nodeTypes().get("cpu").maxWorkers()).isEqualTo(2);
  }

  private static void bad(String yaml, String... fragments) {
    var t = assertThatThrownBy(() -> ClusterConfig.parse(yaml)).isInstanceOf(IllegalArgumentException.class);
    for (String f : fragments) {
      t.hasMessageContaining(f);
    }
  }

  @Test
  void refusesBadInputSayingWhatToFix() {
    bad("available_node_types: {gpu: {resources: {GPU: 1}, min_workers: 3, max_workers: 1}}",
        "available_node_types.gpu: min_workers (3) is greater than max_workers (1)");
    bad("available_node_types: {gpu: {min_workers: 1}}", "available_node_types.gpu: resources is required");
    bad("available_node_types: {gpu: {resources: {}}}", "resources is required");
    bad("available_node_types: {gpu: {resources: {GPU: 0}}}", "offers nothing");
    bad("upscaling_speed: 2\navailable_node_types: {gpu: {resources: {GPU: 1}}}", "upscaling_speed is not a supported",
        "max_workers");
    bad("available_node_types: {gpu: {resources: {GPU: 1}, node_type: x}}", "available_node_types.gpu.node_type");
    bad("provider: {type: aws}\navailable_node_types: {gpu: {resources: {GPU: 1}}}", "provider.type 'aws'",
        "command");
    bad("provider: {type: command, launch: x}\navailable_node_types: {gpu: {resources: {GPU: 1}}}",
        "needs both launch and terminate");
    bad("max_workers: 1\navailable_node_types: {a: {resources: {CPU: 1}, min_workers: 1}, "
        + "b: {resources: {CPU: 1}, min_workers: 1}}", "add up to 2, more than max_workers 1");
    bad("head_node_type: h\navailable_node_types: {gpu: {resources: {GPU: 1}}}", "head_node_type 'h'");
    bad("max_workers: [", "not valid YAML");
    bad("{}", "available_node_types is required");
  }
}
