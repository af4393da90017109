package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} on a real head (REST API) and a worker with its own metrics server: the runtime
 * gauges, each node's own registry, and the worker's server closed with the node.
 */
@Timeout(60)
class NodeMetricsClusterTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void headAndWorkerServeTheirOwnMetrics() throws Exception {
    String workerUrl;
    io.troupe.runtime.api.NodeId workerId;
    NodeMetrics workerMetrics;
    try (TroupeNode head = TroupeNode.start(NodeConfig.builder().head(true).port(0).dashboardPort(0)
            .numCpus(2.0).numGpus(0).memoryBytes(1L << 30).failureDetection(Duration.ofSeconds(4)).build());
        TroupeNode worker = TroupeNode.start(NodeConfig.builder().port(0).headAddress(head.address())
            .numCpus(3.0).numGpus(0).memoryBytes(1L << 30).failureDetection(Duration.ofSeconds(4))
            .metricsPort(0).build())) {
      workerId = worker.nodeId();
      workerUrl = worker.metricsUrl();
      assertThat(head.metricsUrl()).isEqualTo(head.dashboardUrl() + "/metrics");
      assertThat(workerUrl).startsWith("http://127.0.0.1:").endsWith("/metrics");
      workerMetrics = worker.metrics();
      assertThat(worker.client().metrics()).isSameAs(workerMetrics);
      assertThat(head.metrics()).isNotSameAs(workerMetrics);

      HttpResponse<String> h = get(head.metricsUrl());
      assertThat(h.statusCode()).isEqualTo(200);
      assertThat(h.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      String headNode = "node=\"" + head.nodeId() + "\"";
      assertThat(h.body()).contains("troupe_node_resource_capacity{" + headNode + ",resource=\"CPU\"} 2.0")
          .contains("troupe_node_actors_alive{" + headNode + "} 0.0")
          .doesNotContain(worker.nodeId().value());

      ActorHandle<Counter> c = head.client().createActor(Counter.class, ActorOptions.builder().cpus(1)
          .strategy(SchedulingStrategy.nodeAffinity(workerId, false)).build());
      assertThat(c.call(Counter::add, 1).join()).isEqualTo(1);
      String workerNode = "node=\"" + workerId + "\"";
      String body = poll(workerUrl, b -> b.contains("troupe_node_actors_alive{" + workerNode + "} 1.0")
          && b.contains("troupe_node_resource_available{" + workerNode + ",resource=\"CPU\"} 2.0"));
      assertThat(body).contains("troupe_node_resource_capacity{" + workerNode + ",resource=\"CPU\"} 3.0");
    }
    assertThat(workerMetrics.registry().isClosed()).isTrue();
    assertThatThrownBy(() -> get(workerUrl)).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void rejectsABadMetricsPort() {
    assertThatThrownBy(() -> TroupeNode.start(NodeConfig.builder().head(true).port(0).metricsPort(70000).build()))
        .hasMessageContaining("metrics port must be 0..65535");
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String poll(String url, Predicate<String> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(15)).every(Duration.ofMillis(100)).until("metrics at " + url,
        () -> get(url).body(), done);
  }
}
