package io.troupe.serve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Serving's meters on a registry: names, labels, health flips, queued counters shared per node, removal. */
@Timeout(10)
class ServeMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ServeMetrics metrics = ServeMetrics.on(registry);
  private final ReplicaId replica = new ReplicaId(new DeploymentId("app", "D"), "r1");
  private static final String TAGS = "application=\"app\",deployment=\"D\",replica=\"app#D#r1\"";

  @Test
  void replicaMetersFollowHealthAndAreRemovedOnClose() {
    AtomicInteger ongoing = new AtomicInteger(2);
    ServeMetrics.Replica r = metrics.replica(replica, ongoing::get);
    r.processed("/x", 12);
    r.processed("", 600);
    String s = registry.scrape();
    assertThat(s).contains("troupe_serve_replica_processing_queries{" + TAGS + "} 2.0")
        .contains("troupe_serve_deployment_replica_healthy{" + TAGS + "} 1.0")
        .contains("troupe_serve_deployment_processing_latency_ms_bucket{" + TAGS + ",route=\"/x\",le=\"20.0\"} 1")
        .contains("troupe_serve_deployment_processing_latency_ms_bucket{" + TAGS + ",route=\"/x\",le=\"10.0\"} 0")
        .contains("troupe_serve_deployment_processing_latency_ms_count{" + TAGS + ",route=\"\"} 1");
    r.healthy(false);
    ongoing.set(0);
    assertThat(registry.scrape()).contains("troupe_serve_deployment_replica_healthy{" + TAGS + "} 0.0")
        .contains("troupe_serve_replica_processing_queries{" + TAGS + "} 0.0");
    r.close();
    assertThat(registry.scrape()).doesNotContain("app#D#r1");
  }

  @Test
  void queuedQueriesAreOneGaugePerDeploymentAndNode() {
    DeploymentId d = new DeploymentId("app", "D");
    metrics.queuedQueries(d).addAndGet(2);
    metrics.queuedQueries(d).incrementAndGet(); // a second router of the same deployment on this node
    assertThat(registry.scrape()).contains("troupe_serve_deployment_queued_queries{application=\"app\",deployment=\"D\"} 3.0");
  }

  @Test
  void httpErrorsCountByCodeAndClassOnly() {
    metrics.httpRequest("app", "/a", "GET", 200, 3);
    metrics.httpRequest("app", "/a", "POST", 503, 1);
    String s = registry.scrape();
    assertThat(s).contains("troupe_serve_num_http_requests_total{application=\"app\",method=\"GET\",route=\"/a\","
            + "status_code=\"200\"} 1.0")
        .contains("troupe_serve_num_http_error_requests_total{application=\"app\",error_code=\"503\",method=\"POST\","
            + "route=\"/a\",status_class=\"5xx\"} 1.0")
        .doesNotContain("error_code=\"200\"");
  }

  @Test
  void ofIsOneInstancePerNodeRegistry() {
    try (NodeMetrics node = NodeMetrics.create(new NodeId("serve-metrics-test"));
        NodeMetrics other = NodeMetrics.create(new NodeId("serve-metrics-other"))) {
      assertThat(ServeMetrics.of(node)).isSameAs(ServeMetrics.of(node)).isNotSameAs(ServeMetrics.of(other));
      ServeMetrics.of(node).httpRequest("a", "/", "GET", 200, 1);
      assertThat(node.scrape()).contains("troupe_serve_num_http_requests_total{application=\"a\"");
      assertThat(other.scrape()).doesNotContain("troupe_serve_num_http_requests_total");
    }
    ServeMetrics.detached().replica(replica, () -> 1).processed("/", 1); // no node: accepted, recorded nowhere
  }
}
