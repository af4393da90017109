package io.troupe.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
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
 * Serving's Prometheus metrics end to end: a head (proxy, routers) and a worker with its own metrics
 * server (both replicas, by their CPU demand); requests incl. a user error and an unknown route,
 * then {@code /metrics} scraped over HTTP from the proxy, the head's REST API and the worker.
 */
@Timeout(60)
class ServeMetricsEndToEndTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static String config(int port) {
    return """
        proxy_location: HeadOnly
        http_options:
          host: 127.0.0.1
          port: %d
          request_timeout_s: 5
        applications:
          - name: hello
            route_prefix: /hello
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                num_replicas: 2
                ray_actor_options: {num_cpus: 2}
                graceful_shutdown_wait_loop_s: 0.1
        """.formatted(port);
  }

  @Test
  void proxyRouterAndReplicaMetricsAreScraped() throws Exception {
    int port = FreePorts.pick();
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(0).cpusPerNode(1)
            .extension(ServeExtension.create()).build());
        TroupeNode worker = TroupeNode.start(NodeConfig.builder().port(0).headAddress(cluster.head().address())
            .numCpus(4.0).numGpus(0).memoryBytes(4L << 30).metricsPort(0)
            .extensions(java.util.List.of(ServeExtension.create())).build())) {
      String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
      String base = "http://127.0.0.1:" + port;
      assertThat(send("PUT", api, config(port)).statusCode()).isEqualTo(200);
      poll(api, b -> b.replace(" ", "").contains("\"hello\":{\"status\":\"RUNNING\"")
          || b.matches("(?s).*\"hello\"\\s*:\\s*\\{[^}]*\"status\"\\s*:\\s*\"RUNNING\".*"));
      for (int i = 0; i < 3; i++) {
        assertThat(send("GET", base + "/hello?name=x", null).statusCode()).isEqualTo(200);
      }
      assertThat(send("GET", base + "/hello?name=boom", null).statusCode()).isEqualTo(500);
      assertThat(send("GET", base + "/nowhere", null).statusCode()).isEqualTo(404);

      String hello = "application=\"hello\",method=\"GET\"";
      String headNode = "node=\"" + cluster.head().nodeId() + "\"";
      HttpResponse<String> proxyScrape = send("GET", base + "/metrics", null);
      assertThat(proxyScrape.statusCode()).isEqualTo(200);
      assertThat(proxyScrape.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      String p = proxyScrape.body();
      assertThat(p)
          .contains("troupe_serve_num_http_requests_total{" + hello + "," + headNode
              + ",route=\"/hello\",status_code=\"200\"} 3.0")
          .contains("troupe_serve_num_http_requests_total{" + hello + "," + headNode
              + ",route=\"/hello\",status_code=\"500\"} 1.0")
          .contains("troupe_serve_num_http_error_requests_total{application=\"hello\",error_code=\"500\",method=\"GET\","
              + headNode
              + ",route=\"/hello\",status_class=\"5xx\"} 1.0")
          .contains("troupe_serve_num_http_error_requests_total{application=\"\",error_code=\"404\",method=\"GET\","
              + headNode + ",route=\"\",status_class=\"4xx\"} 1.0")
          .contains("troupe_serve_http_request_latency_ms_count{" + hello + "," + headNode
              + ",route=\"/hello\",status_code=\"200\"} 3")
          .contains("troupe_serve_http_request_latency_ms_bucket{" + hello + "," + headNode
              + ",route=\"/hello\",status_code=\"200\",le=\"+Inf\"} 3")
          .contains("troupe_serve_deployment_queued_queries{application=\"hello\",deployment=\"Hello\"," + headNode
              + "} 0.0")
          .contains("troupe_node_actors_alive{" + headNode + "}")
          .doesNotContain("troupe_serve_replica_processing_queries"); // replicas run on the worker
      // the head's REST API serves the same registry
      assertThat(send("GET", cluster.head().metricsUrl(), null).body()).contains("troupe_serve_num_http_requests_total");

      String workerNode = "node=\"" + worker.nodeId() + "\"";
      String w = send("GET", worker.metricsUrl(), null).body();
      assertThat(w).doesNotContain("troupe_serve_num_http_requests_total")
          .containsPattern("troupe_serve_deployment_processing_latency_ms_count\\{application=\"hello\","
              + "deployment=\"Hello\"," + workerNode + ",replica=\"hello#Hello#[^\"]+\",route=\"/hello\"} \\d")
          .containsPattern("troupe_serve_replica_processing_queries\\{application=\"hello\",deployment=\"Hello\","
              + workerNode + ",replica=\"hello#Hello#[^\"]+\"} 0.0")
          .containsPattern("troupe_serve_deployment_replica_healthy\\{application=\"hello\",deployment=\"Hello\","
              + workerNode + ",replica=\"hello#Hello#[^\"]+\"} 1.0");
      assertThat(count(w, "troupe_serve_deployment_replica_healthy{")).isEqualTo(2);
      assertThat(sumOf(w, "troupe_serve_deployment_processing_latency_ms_count{")).isEqualTo(4);

      // deleting the application stops the replicas, whose meters go with them
      assertThat(send("DELETE", api, null).statusCode()).isIn(200, 202, 204);
      poll(worker.metricsUrl(), b -> !b.contains("troupe_serve_deployment_replica_healthy{"));
    }
  }

  private static int count(String scrape, String prefix) {
    return (int) scrape.lines().filter(l -> l.startsWith(prefix)).count();
  }

  private static long sumOf(String scrape, String prefix) {
    return scrape.lines().filter(l -> l.startsWith(prefix))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String poll(String url, Predicate<String> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(30)).until("an answer from " + url, () -> send("GET", url, null).body(), done);
  }
}
