package io.troupe.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The placement-group REST API over a real socket, on an in-process cluster (head with 4 CPUs and
 * two workers with 4 CPUs and 2 GPUs each): create, list, get, delete, waiting, and every refusal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PlacementGroupApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static LocalCluster cluster;
  static String base;
  final List<String> created = new ArrayList<>();

  record Answer(int status, JsonNode body) {
    String error() {
      return body.path("error").asText();
    }
  }

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(4).gpusPerWorker(2).build());
    base = cluster.head().dashboardUrl();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void removeCreated() throws Exception {
    for (String id : created) {
      send("DELETE", "/api/placement_groups/" + id, null);
    }
  }

  static Answer send(String method, String path, String body) throws Exception {
    HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).method(method, p)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()));
  }

  String create(String body) throws Exception {
    Answer a = send("POST", "/api/placement_groups", body);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    String id = a.body().path("placement_group_id").asText();
    assertThat(id).isNotEmpty();
    created.add(id);
    return id;
  }

  /** Polls {@code GET path} until {@code done} holds (the reservation is applied asynchronously). */
  static JsonNode poll(String path, Predicate<JsonNode> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(30)).until("an answer from " + path, () -> send("GET", path, null).body(), done);
  }

  static double availableGpus(JsonNode status) {
    double sum = 0;
    for (JsonNode n : status.path("nodes")) {
      sum += n.path("resources_available").path("GPU").asDouble(0);
    }
    return sum;
  }

  static int groupCount() throws Exception {
    return send("GET", "/api/placement_groups", null).body().size();
  }

  @Test
  void createGetListDeleteAndResourcesFollowTheReservation() throws Exception {
    poll("/api/cluster/status", s -> availableGpus(s) == 4.0);
    String id = create("""
        {"bundles": [{"CPU": 1, "GPU": 1}, {"resources": {"CPU": 1, "GPU": 1}, "label_selector": {}}],
         "strategy": "STRICT_SPREAD", "name": "tp", "lifetime": "detached", "gang": true}""");

    JsonNode g = poll("/api/placement_groups/" + id, b -> "CREATED".equals(b.path("state").asText()));
    assertThat(g.path("placement_group_id").asText()).isEqualTo(id);
    assertThat(g.path("name").asText()).isEqualTo("tp");
    assertThat(g.path("strategy").asText()).isEqualTo("STRICT_SPREAD");
    assertThat(g.path("epoch").isNumber()).isTrue();
    assertThat(g.has("reason")).isFalse();
    assertThat(g.path("bundles")).hasSize(2);
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      JsonNode b = g.path("bundles").get(i);
      assertThat(b.path("index").asInt()).isEqualTo(i);
      assertThat(b.path("resources").path("GPU").asDouble()).isEqualTo(1.0);
      assertThat(b.path("gpu_ids")).hasSize(1);
      nodes.add(b.path("node_id").asText());
    }
    assertThat(nodes).doesNotHaveDuplicates().containsExactlyInAnyOrder(
        cluster.worker(0).nodeId().value(), cluster.worker(1).nodeId().value());

    JsonNode all = send("GET", "/api/placement_groups", null).body();
    assertThat(all.findValuesAsText("placement_group_id")).contains(id);
    JsonNode byName = send("GET", "/api/placement_groups?name=tp", null).body();
    assertThat(byName).hasSize(1);
    assertThat(byName.get(0).path("placement_group_id").asText()).isEqualTo(id);
    assertThat(send("GET", "/api/placement_groups?name=nope", null).body()).isEmpty();

    poll("/api/cluster/status", s -> availableGpus(s) == 2.0);

    Answer del = send("DELETE", "/api/placement_groups/" + id, null);
    assertThat(del.status()).isEqualTo(200);
    assertThat(del.body().path("placement_group_id").asText()).isEqualTo(id);
    assertThat(send("GET", "/api/placement_groups/" + id, null).status()).isEqualTo(404);
    poll("/api/cluster/status", s -> availableGpus(s) == 4.0);
  }

  @Test
  void waitReturnsTheCreatedGroup() throws Exception {
    Answer a = send("POST", "/api/placement_groups", """
        {"bundles": [{"CPU": 1}], "strategy": "pack", "gang": {"max_restarts": 1, "initial_backoff_s": 0.5}, "wait_s": 30}""");
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    created.add(a.body().path("placement_group_id").asText());
    assertThat(a.body().path("state").asText()).isEqualTo("CREATED");
    assertThat(a.body().path("strategy").asText()).isEqualTo("PACK");
    assertThat(a.body().path("bundles").get(0).path("node_id").asText()).isNotEmpty();
  }

  @Test
  void waitOnAnInfeasibleGroupAnswers408WithTheReasonAndKeepsTheGroup() throws Exception {
    Answer a = send("POST", "/api/placement_groups", """
        {"bundles": [{"GPU": 8}], "wait_s": 0.5}""");
    assertThat(a.status()).isEqualTo(408);
    assertThat(a.error()).isNotBlank();
    String id = a.body().path("placement_group_id").asText();
    created.add(id);
    JsonNode g = send("GET", "/api/placement_groups/" + id, null).body();
    assertThat(g.path("state").asText()).isEqualTo("PENDING");
    assertThat(g.path("reason").asText()).isNotBlank();
    assertThat(g.path("bundles").get(0).path("node_id").isNull()).isTrue();
  }

  @Test
  void badInputIsRefusedWith400AndNothingIsCreated() throws Exception {
    create("""
        {"bundles": [{"CPU": 0.5}], "name": "taken", "lifetime": "detached"}""");
    int before = groupCount();
    String[][] cases = {
        {"{\"bundles\": []}", "bundle"},
        {"{\"bundles\": [{\"CPU\": 0, \"GPU\": 0}]}", "zero"},
        {"{\"bundles\": [{\"CPU\": -1}]}", "negative"},
        {"{\"bundles\": [{\"CPU\": NaN}]}", "NaN"},
        {"{\"bundles\": [{\"CPU\": \"one\"}]}", "must be a number"},
        {"{\"bundles\": [{\"CPU\": 1}], \"strategy\": \"DIAGONAL\"}", "DIAGONAL"},
        {"{\"bundles\": [{\"CPU\": 1}], \"name\": \"taken\"}", "taken"},
        {"{\"bundles\": [{\"CPU\": 1}], \"colour\": \"red\"}", "'colour'"},
        {"{\"bundles\": [{\"resources\": {\"CPU\": 1}, \"affinity\": 1}]}", "'bundles[0].affinity'"},
        {"{\"bundles\": [{\"CPU\": 1}], \"gang\": {\"retries\": 1}}", "'gang.retries'"},
        {"{\"bundles\": [{\"CPU\": 1}], \"gang\": {\"max_restarts\": -1}}", "maxRestarts"},
        {"{\"bundles\": [{\"CPU\": 1}], \"lifetime\": \"forever\"}", "lifetime"},
        {"{\"bundles\": [{\"CPU\": 1}], \"wait_s\": -1}", "wait_s"},
        {"{\"strategy\": \"PACK\"}", "'bundles' is missing"},
        {"{\"bundles\": [{\"CPU\": 1}]", "malformed JSON"},
        {"[1, 2]", "JSON object"},
        {"", "JSON object"},
    };
    for (String[] c : cases) {
      Answer a = send("POST", "/api/placement_groups", c[0]);
      assertThat(a.status()).as(c[0] + " -> " + a.body()).isEqualTo(400);
      assertThat(a.error()).as(c[0]).containsIgnoringCase(c[1]);
    }
    assertThat(groupCount()).isEqualTo(before);
  }

  @Test
  void unknownIdIs404() throws Exception {
    Answer get = send("GET", "/api/placement_groups/pg-nope", null);
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.error()).contains("pg-nope");
    assertThat(send("DELETE", "/api/placement_groups/pg-nope", null).status()).isEqualTo(404);
  }
}
