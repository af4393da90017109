package io.troupe.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.cluster.NodeProcess;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cluster-wide metrics discovery on a real in-process cluster (a head with its REST API, two workers with their
 * own metrics servers on free ports): {@code GET /api/cluster/status} gives each node its {@code metrics_url}, every
 * URL answers with that node's series, {@code GET /api/prometheus/sd} lists all three as Prometheus targets, a lost
 * entry is written again by its node, and a closed worker (entry withdrawn) and a crashed one (entry left behind,
 * node DEAD) drop out of the targets.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MetricsTargetsClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void statusAndServiceDiscoveryListEveryAliveNodesMetrics() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(1)
        .memoryPerNode(1L << 30).failureDetection(Duration.ofSeconds(3)).workerMetrics(true).build())) {
      String api = cluster.head().dashboardUrl();
      TroupeNode head = cluster.head();
      TroupeNode w0 = cluster.worker(0);
      TroupeNode w1 = cluster.worker(1);
      assertThat(w0.metricsUrl()).isNotEqualTo(head.metricsUrl()).startsWith("http://127.0.0.1:");

      Map<String, String> urls = metricsUrls(getJson(api + "/api/cluster/status"));
      assertThat(urls).containsOnly(Map.entry(head.nodeId().value(), head.dashboardUrl() + "/metrics"),
          Map.entry(w0.nodeId().value(), w0.metricsUrl()), Map.entry(w1.nodeId().value(), w1.metricsUrl()));
      for (TroupeNode n : cluster.nodes()) {
        HttpResponse<String> scrape = get(urls.get(n.nodeId().value()));
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("troupe_node_resource_capacity{node=\"" + n.nodeId() + "\",resource=\"CPU\"} 1.0");
      }

      JsonNode sd = getJson(api + MetricsTargets.SD_PATH);
      assertThat(sd.size()).isEqualTo(3);
      for (JsonNode group : sd) {
        String node = group.path("labels").path("node_id").asText();
        URI url = URI.create(urls.get(node));
        assertThat(group.path("targets").size()).isEqualTo(1);
        assertThat(group.path("targets").path(0).asText()).isEqualTo(url.getHost() + ":" + url.getPort());
        assertThat(group.path("labels").path("__metrics_path__").asText()).isEqualTo("/metrics");
        assertThat(group.path("labels").path("__scheme__").asText()).isEqualTo("http");
        assertThat(group.path("labels").path("is_head").asText()).isEqualTo(String.valueOf(node.equals(head.nodeId().value())));
      }

      // an entry that is lost (a head restarted without a state dir starts with an empty store) is written again;
      // after the delete only the node's periodic check can bring it back
      head.client().kvDelete(MetricsTargets.key(w1.nodeId())).get(10, TimeUnit.SECONDS);
      poll(api + MetricsTargets.SD_PATH, j -> nodeIds(j).contains(w1.nodeId().value()));

      // a closed worker withdraws its entry
      w0.close();
      assertThat(head.client().kvGet(MetricsTargets.key(w0.nodeId())).get(10, TimeUnit.SECONDS)).isEmpty();
      JsonNode afterClose = poll(api + MetricsTargets.SD_PATH, j -> j.size() == 2);
      assertThat(nodeIds(afterClose)).containsOnly(head.nodeId().value(), w1.nodeId().value());

      // a node that dies without closing leaves its entry, but is DEAD: no target, no metrics_url
      ((NodeProcess) w1).system().terminate();
      JsonNode afterCrash = poll(api + MetricsTargets.SD_PATH, j -> j.size() == 1);
      assertThat(nodeIds(afterCrash)).containsOnly(head.nodeId().value());
      assertThat(head.client().kvGet(MetricsTargets.key(w1.nodeId())).get(10, TimeUnit.SECONDS)).isPresent();
      JsonNode status = getJson(api + "/api/cluster/status");
      for (JsonNode n : status.path("nodes")) {
        if (n.path("node_id").asText().equals(w1.nodeId().value())) {
          assertThat(n.path("state").asText()).isEqualTo("DEAD");
          assertThat(n.has("metrics_url")).isTrue();
          assertThat(n.path("metrics_url").isNull()).isTrue();
        }
      }
    }
  }

  private static Map<String, String> metricsUrls(JsonNode status) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode n : status.path("nodes")) {
      out.put(n.path("node_id").asText(), n.path("metrics_url").isNull() ? null : n.path("metrics_url").asText());
    }
    return out;
  }

  private static java.util.List<String> nodeIds(JsonNode sd) {
    java.util.List<String> out = new java.util.ArrayList<>();
    sd.forEach(g -> out.add(g.path("labels").path("node_id").asText()));
    return out;
  }

  private JsonNode getJson(String url) throws Exception {
    HttpResponse<String> r = get(url);
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode poll(String url, Predicate<JsonNode> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(30)).every(Duration.ofMillis(200)).until("an answer from " + url,
        () -> getJson(url), done);
  }
}
