package io.troupe.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.ResourceSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Prometheus service-discovery answer built from a cluster status (pure). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetricsTargetsTest {
  private static NodeInfo node(String id, String state, boolean head, String url) {
    return new NodeInfo(new NodeId(id), "127.0.0.1:1", state, head, Map.of(), ResourceSet.of("CPU", 1),
        ResourceSet.of("CPU", 1), List.of(), null, url);
  }

  @Test
  void oneTargetGroupPerAliveNodeWithAUrl() {
    ClusterStatus status = new ClusterStatus(List.of(
        node("head-1", NodeInfo.ALIVE, true, "http://10.0.0.1:8265/metrics"),
        node("node-a", NodeInfo.ALIVE, false, "http://10.0.0.2:9100/metrics"),
        node("node-b", NodeInfo.ALIVE, false, null),
        node("node-c", NodeInfo.DEAD, false, "http://10.0.0.4:9100/metrics"),
        node("node-d", NodeInfo.ALIVE, false, "not a url at all")), List.of(), List.of());

    List<Map<String, Object>> groups = MetricsTargets.targetGroups(status);

    assertThat(groups).containsExactly(
        Map.of("targets", List.of("10.0.0.1:8265"), "labels", Map.of("node_id", "head-1", "is_head", "true",
            "__metrics_path__", "/metrics", "__scheme__", "http")),
        Map.of("targets", List.of("10.0.0.2:9100"), "labels", Map.of("node_id", "node-a", "is_head", "false",
            "__metrics_path__", "/metrics", "__scheme__", "http")));
  }

  @Test
  void noNodesNoTargets() {
    assertThat(MetricsTargets.targetGroups(new ClusterStatus(List.of(), List.of(), List.of()))).isEmpty();
  }

  @Test
  void keysAreScopedByNode() {
    assertThat(MetricsTargets.key(new NodeId("node-a"))).isEqualTo("metrics/nodes/node-a");
  }
}
