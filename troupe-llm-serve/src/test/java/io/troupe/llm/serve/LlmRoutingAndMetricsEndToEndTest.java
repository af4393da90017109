package io.troupe.llm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two {@link LlmServer} replicas of a tiny model behind the OpenAI ingress on a single-node {@link LocalCluster},
 * over real HTTP: requests of one tenant (a shared system prompt) all land on one replica — the prompt travels as
 * the routing key to the server deployment's prefix-aware router — and a new tenant goes to the other; the
 * {@code troupe_llm_*} metrics of both replicas appear on the node's {@code /metrics} and move with the requests.
 */
@Timeout(120)
class LlmRoutingAndMetricsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String SYS_A = "You are the support desk of Acme Rockets. Answer briefly and politely. ";
  private static final String SYS_B = "Billing assistant for Globex: quote invoice numbers and due dates. ";
  private static LocalCluster cluster;
  private static String base;

  @BeforeAll
  static void deploy() throws Exception {
    Path model = Files.createTempDirectory("llm-routing-model");
    RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), model);
    int port = FreePorts.pick();
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(0).cpusPerNode(6)
        .extension(ServeExtension.create()).build());
    String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
    base = "http://127.0.0.1:" + port;
    String config = """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: %d, request_timeout_s: 60}
        applications:
          - name: llm
            route_prefix: /
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            args:
              models:
                - {model_id: tiny, model_source: '%s', max_tokens: 4}
            deployments:
              - {name: LlmServer-tiny, num_replicas: 2}
        """.formatted(port, model.toString());
    HttpResponse<String> put = send("PUT", api, config);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    Poll.upTo(Duration.ofSeconds(60)).until("llm app RUNNING", () -> JSON.readTree(send("GET", api, null).body()),
        st -> st.path("applications").path("llm").path("status").asText().equals("RUNNING"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aTenantSticksToOneReplicaAndTheLlmMetricsOfBothReplicasMove() throws Exception {
    complete("warm up the routing tables", false);
    Map<String, Double> before = byReplica(scrape(), "troupe_llm_request_success_total");
    for (int i = 0; i < 5; i++) {
      complete(SYS_A + "Question " + i + ": when does my order ship?", i % 2 == 1);
    }
    String metrics = scrape();
    Map<String, Double> after = byReplica(metrics, "troupe_llm_request_success_total");
    Map<String, Double> delta = minus(after, before);
    assertThat(delta.values()).as("tenant A's 5 requests per replica: %s", delta).containsExactlyInAnyOrder(5.0, 0.0);
    String home = delta.entrySet().stream().filter(e -> e.getValue() == 5.0).findFirst().orElseThrow().getKey();

    complete(SYS_B + "Question 0: what do I owe?", false);
    Map<String, Double> afterB = minus(byReplica(scrape(), "troupe_llm_request_success_total"), after);
    assertThat(afterB.get(home)).as("the new tenant goes to the replica that learnt least: %s", afterB).isZero();

    // the rest of the LLM metrics, labelled by model and replica, on the node's /metrics
    assertThat(byReplica(metrics, "troupe_llm_time_to_first_token_seconds_count").keySet()).hasSize(2);
    assertThat(byReplica(metrics, "troupe_llm_time_to_first_token_seconds_count").get(home)).isGreaterThanOrEqualTo(5);
    assertThat(byReplica(metrics, "troupe_llm_time_per_output_token_seconds_count").get(home)).isGreaterThan(0);
    assertThat(byReplica(metrics, "troupe_llm_prompt_tokens_total").get(home)).isGreaterThan(50);
    assertThat(byReplica(metrics, "troupe_llm_generation_tokens_total").get(home)).isGreaterThanOrEqualTo(5);
    // requests 2..5 reuse the shared system prompt's KV blocks on the home replica
    assertThat(byReplica(metrics, "troupe_llm_prefix_cache_hits_total").get(home)).isGreaterThan(0);
    assertThat(byReplica(metrics, "troupe_llm_prefix_cache_hit_rate").get(home)).isGreaterThan(0);
    assertThat(byReplica(metrics, "troupe_llm_prefix_cache_queries_total").get(home)).isGreaterThan(0);
    assertThat(byReplica(metrics, "troupe_llm_kv_cache_usage_perc")).hasSize(2);
    assertThat(byReplica(metrics, "troupe_llm_num_requests_running")).hasSize(2);
    assertThat(byReplica(metrics, "troupe_llm_num_requests_waiting")).hasSize(2);
    assertThat(metrics).contains("troupe_llm_time_to_first_token_seconds_bucket{")
        .contains("model_id=\"tiny\"").contains("finished_reason=\"length\"");
  }

  @Test
  void everyMetricAndLabelTheGrafanaDashboardsQueryIsExported() throws Exception {
    complete("fill the serving and LLM series", true);
    String unknown = JSON.writeValueAsString(Map.of("model", "no-such-model", "prompt", "x", "max_tokens", 1));
    assertThat(send("POST", base + "/v1/completions", unknown).statusCode()).isGreaterThanOrEqualTo(400);
    var queries = GrafanaDashboards.queries(GrafanaDashboards.folder());
    assertThat(queries).hasSizeGreaterThan(30);
    assertThat(GrafanaDashboards.problems(queries, GrafanaDashboards.exposition(scrape()))).isEmpty();
  }

  private static void complete(String prompt, boolean stream) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "tiny", "prompt", prompt, "max_tokens", 4,
        "temperature", 0, "stream", stream));
    HttpResponse<String> r = send("POST", base + "/v1/completions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    if (stream) {
      assertThat(r.body()).contains("data: [DONE]");
    }
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = send("GET", base + "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** {@code metric}'s value per replica label, summed over its other labels. */
  static Map<String, Double> byReplica(String exposition, String metric) {
    Map<String, Double> out = new TreeMap<>();
    Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Pattern replica = Pattern.compile("replica=\"([^\"]*)\"");
    Matcher m = line.matcher(exposition);
    while (m.find()) {
      Matcher r = replica.matcher(m.group(1));
      if (r.find() && m.group(1).contains("model_id=\"tiny\"")) {
        out.merge(r.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return out;
  }

  private static Map<String, Double> minus(Map<String, Double> a, Map<String, Double> b) {
    Map<String, Double> out = new TreeMap<>();
    a.forEach((k, v) -> out.put(k, v - b.getOrDefault(k, 0.0)));
    return out;
  }

  private static HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
