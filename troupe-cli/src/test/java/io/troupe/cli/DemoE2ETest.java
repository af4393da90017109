package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, {@code troupe demo}, as a user runs it (only the ports are free ones instead of 8000 /
 * 8265 / 6380): three node processes, the demo model written, the LLM deployed with tensor_parallel_size=2 over both
 * workers, a streamed completion printed; afterwards the OpenAI API answers, {@code troupe status} shows the
 * replica's placement group with one bundle on each worker and their GPU ids, the replica's node advertises its
 * {@code /metrics} (with the {@code troupe_llm_*} series of the requests) in {@code /api/cluster/status} and
 * {@code /api/prometheus/sd}, and a second {@code troupe demo} only shows the running cluster.
 */
@Tag("e2e")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path home;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(home);
    cli.env.put("TROUPE_NODE_JVM_OPTS", "-Xmx384m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
  }

  @AfterEach
  void stopEverything() {
    cli.run("stop", "--force");
  }

  @Test
  void theDemoServesTheLlmOverTwoWorkersAndStatusShowsItsPlacementGroup() throws Exception {
    long t0 = System.nanoTime();
    int http = FreePorts.pick();
    int dashboard = FreePorts.pick();
    CliHarness.Result demo = cli.run("demo", "--http-port", String.valueOf(http), "--port",
        String.valueOf(FreePorts.pick()), "--dashboard-port", String.valueOf(dashboard));
    System.out.printf("troupe demo took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out()).contains("[1/4]", "[2/4]", "[3/4]", "[4/4]", "(finish_reason: ", "-> HTTP 200: hello you",
        "REST API on http://127.0.0.1:" + dashboard);
    assertThat(Files.isRegularFile(home.resolve("models/demo/config.json"))).isTrue();

    // the OpenAI API keeps serving after the command returned
    String base = "http://127.0.0.1:" + http;
    JsonNode models = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET()).body());
    assertThat(models.path("data").path(0).path("id").asText()).isEqualTo("demo");
    HttpResponse<String> completion = send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\": \"demo\", \"prompt\": \"Hello\", \"max_tokens\": 8, \"temperature\": 0}")));
    assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
    assertThat(JSON.readTree(completion.body()).path("usage").path("completion_tokens").asInt()).isPositive();

    // the replica's group: two bundles on the two workers, one GPU id each
    JsonNode groups = JSON.readTree(send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + dashboard + "/api/placement_groups")).GET()).body());
    JsonNode llm = null;
    for (JsonNode g : groups.isArray() ? groups : groups.path("placement_groups")) {
      if (g.path("name").asText().contains("LlmServer-demo")) {
        llm = g;
      }
    }
    assertThat(llm).as("the LLM replica's placement group in " + groups).isNotNull();
    assertThat(llm.path("state").asText()).isEqualTo("CREATED");
    Set<String> bundleNodes = new HashSet<>();
    for (JsonNode b : llm.path("bundles")) {
      bundleNodes.add(b.path("node_id").asText());
      assertThat(b.path("gpu_ids")).as(b.toString()).hasSize(1);
    }
    assertThat(bundleNodes).hasSize(2);

    // the LLM replica's node (bundle 0) advertises its own /metrics, the demo printed where it is, and it has the
    // troupe_llm_* series of model "demo" with the requests counted
    String replicaNode = llm.path("bundles").path(0).path("node_id").asText();
    JsonNode clusterStatus = JSON.readTree(send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + dashboard + "/api/cluster/status")).GET()).body());
    String metricsUrl = null;
    for (JsonNode n : clusterStatus.path("nodes")) {
      assertThat(n.path("metrics_url").asText()).as(n.toString()).startsWith("http://127.0.0.1:").endsWith("/metrics");
      if (n.path("node_id").asText().equals(replicaNode)) {
        metricsUrl = n.path("metrics_url").asText();
      }
    }
    assertThat(metricsUrl).as("metrics_url of " + replicaNode + " in " + clusterStatus)
        .isNotNull().isNotEqualTo("http://127.0.0.1:" + dashboard + "/metrics");
    assertThat(demo.out()).contains("curl -s " + metricsUrl + " | grep troupe_llm_time_to_first_token",
        "/api/prometheus/sd");
    String url = metricsUrl;
    String scrape = Poll.upTo(Duration.ofSeconds(15)).every(Duration.ofMillis(200)).until(
        "2 LLM requests (the demo's streamed completion and ours) in " + url,
        () -> send(HttpRequest.newBuilder(URI.create(url)).GET()).body(), m -> llmRequests(m) >= 2);
    assertThat(scrape).containsPattern("troupe_llm_time_to_first_token_seconds_count\\{[^}]*model_id=\"demo\"[^}]*} [1-9]");
    JsonNode sd = JSON.readTree(send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + dashboard + "/api/prometheus/sd")).GET()).body());
    assertThat(sd.size()).as(sd.toString()).isEqualTo(3);

    CliHarness.Result status = cli.run("status");
    assertThat(status.code()).as(status.err()).isZero();
    assertThat(status.out()).contains("LlmServer-demo");
    bundleNodes.forEach(n -> assertThat(status.out()).contains(n));

    CliHarness.Result again = cli.run("demo", "--http-port", String.valueOf(http));
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("already running").doesNotContain("[1/4]");
  }

  /** Sum of {@code troupe_llm_request_success_total} of model "demo" in a Prometheus scrape. */
  private static double llmRequests(String scrape) {
    double n = 0;
    for (String line : scrape.lines().toList()) {
      if (line.startsWith("troupe_llm_request_success_total{") && line.contains("model_id=\"demo\"")) {
        n += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.sendAsync(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString())
        .get(90, TimeUnit.SECONDS);
  }
}
