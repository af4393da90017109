package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLM serving over real processes: {@code troupe start} spawns a head and two workers, each with 1 logical GPU;
 * one application serves the same model twice behind the OpenAI API — {@code tp2} with two tensor-parallel ranks
 * in a STRICT_SPREAD group over two of the three nodes, {@code one} with a single rank on the head (with the
 * ingress, pinned there by a custom resource). Over HTTP:
 * <ol>
 *   <li>the same prompt gives the same greedy text through both;</li>
 *   <li>a worker holding a rank (rank 1's if a worker has it, so the replica in bundle 0 survives) is SIGKILLed
 *       while a long streaming request runs on {@code tp2}: that response ends with an error in OpenAI's shape
 *       naming the lost rank; the replica's gang restarts at epoch 1 with the lost bundle on the node left
 *       (visible in {@code troupe status}), the new replica adopts its recreated ranks, and {@code tp2} serves the
 *       same greedy text again;</li>
 *   <li>meanwhile every request to {@code one} (its replica and the ingress on the head) succeeds.</li>
 * </ol>
 */
@Tag("e2e")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LlmServingE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String PROMPT = "hello world";

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
  void tp2AcrossProcessesMatchesOneRankAndAKilledRankNodeRestartsTheGangWhileTheOtherModelServes() throws Exception {
    long t0 = System.nanoTime();
    Path model = home.resolve("model");
    RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), model);
    int dashboard = FreePorts.pick();
    int http = FreePorts.pick();
    String headAddr = "127.0.0.1:" + FreePorts.pick();
    // Three GPU nodes for a group of two STRICT_SPREAD bundles: whichever worker dies, one node is left to take its
    // bundle. The head is one of them (a fourth JVM would cost ~10 s on two cores); it is never the one killed.
    CliHarness.Result h = cli.run("start", "--head", "--port", headAddr.split(":")[1], "--dashboard-port",
        String.valueOf(dashboard), "--num-cpus", "6", "--num-gpus", "1", "--resources", "{\"head_slot\": 4}",
        "--failure-detection", "3s");
    assertThat(h.code()).as(h.err()).isZero();
    List<CompletableFuture<CliHarness.Result>> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(CompletableFuture.supplyAsync(() -> cli.run("start", "--address", headAddr, "--num-cpus", "3",
          "--num-gpus", "1", "--failure-detection", "3s")));
    }
    for (CompletableFuture<CliHarness.Result> w : workers) {
      CliHarness.Result r = w.get(90, TimeUnit.SECONDS);
      assertThat(r.code()).as(r.err()).isZero();
    }
    RestClient rest = new RestClient("http://127.0.0.1:" + dashboard, null);
    String api = "http://127.0.0.1:" + dashboard;
    String base = "http://127.0.0.1:" + http;
    double started = seconds(t0);

    String config = """
        {"proxy_location": "HeadOnly", "http_options": {"host": "127.0.0.1", "port": %d, "request_timeout_s": 60},
         "applications": [{"name": "llm", "route_prefix": "/", "import_path": "io.troupe.llm.serve.LlmApps:fromArgs",
           "args": {"models": [
             {"model_id": "tp2", "model_source": "%s", "tensor_parallel_size": 2, "num_gpus_per_rank": 1},
             {"model_id": "one", "model_source": "%s"}]},
           "deployments": [
             {"name": "LlmServer-tp2", "placement_group_strategy": "STRICT_SPREAD"},
             {"name": "LlmServer-one", "ray_actor_options": {"num_cpus": 1, "resources": {"head_slot": 1}}},
             {"name": "OpenAiIngress", "ray_actor_options": {"num_cpus": 1, "resources": {"head_slot": 1}}}]}]}
        """.formatted(http, model, model);
    ServeCommand.Loaded loaded = ServeCommand.parse("test", config);
    ServeCommand.deploy(rest, loaded);
    ServeCommand.awaitRunning(rest, loaded.parsed(), Duration.ofSeconds(60));
    double running = seconds(t0);

    // 1. TP=2 over two worker processes and one rank give the same greedy text
    String one = completion(base, "one", 16);
    assertThat(completion(base, "tp2", 16)).isEqualTo(one);
    JsonNode group = llmGroup(rest);
    assertThat(group.path("epoch").asLong()).isZero();
    List<String> rankNodes = List.of(group.path("bundles").get(0).path("node_id").asText(),
        group.path("bundles").get(1).path("node_id").asText());
    assertThat(rankNodes.get(0)).isNotEqualTo(rankNodes.get(1));
    // the worker holding rank 1 if there is one (the replica, in bundle 0, survives), else the one holding rank 0
    String headId = cli.session().liveNodes().stream().filter(NodeRecord::head).findFirst().orElseThrow().nodeId();
    int lost = rankNodes.get(1).equals(headId) ? 0 : 1;
    String victimNode = rankNodes.get(lost);
    NodeRecord victim = cli.session().liveNodes().stream().filter(r -> r.nodeId().equals(victimNode)).findFirst()
        .orElseThrow();

    // 2. a long streaming request on tp2, then SIGKILL of the worker that holds a rank
    HttpResponse<java.io.InputStream> streaming = HTTP.sendAsync(post(base + "/v1/completions", """
        {"model": "tp2", "prompt": "%s", "max_tokens": 1500, "temperature": 0, "stream": true}""".formatted(PROMPT)),
        HttpResponse.BodyHandlers.ofInputStream()).get(60, TimeUnit.SECONDS);
    java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(streaming.body(),
        java.nio.charset.StandardCharsets.UTF_8));
    StringBuilder streamed = new StringBuilder();
    for (String line = reader.readLine(); line != null; line = reader.readLine()) { // generation has started once
      streamed.append(line).append('\n');                                                   // a chunk arrived
      if (line.startsWith("data: {")) {
        break;
      }
    }
    CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          streamed.append(line).append('\n');
        }
        return streamed.toString();
      } catch (java.io.IOException e) {
        return streamed + "\n(read failed: " + e + ")";
      }
    });
    AtomicBoolean stop = new AtomicBoolean();
    List<String> otherModelFailures = new ArrayList<>();
    int[] otherModelOk = {0};
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
      while (!stop.get()) {
        try {
          HttpResponse<String> r = HTTP.send(post(base + "/v1/completions",
              "{\"model\": \"one\", \"prompt\": \"" + PROMPT + "\", \"max_tokens\": 16, \"temperature\": 0}"),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && text(r).equals(one)) {
            otherModelOk[0]++;
          } else {
            otherModelFailures.add(r.statusCode() + " " + r.body());
          }
        } catch (Exception e) {
          otherModelFailures.add(e.toString());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a steady trickle of requests
      }
    });
    long killedAt = System.nanoTime();
    ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly(); // SIGKILL

    String affected = inFlight.get(60, TimeUnit.SECONDS);
    double affectedAfter = seconds(killedAt);
    assertThat(streaming.statusCode()).isEqualTo(200);
    assertThat(affected).as("the in-flight stream must not complete normally").doesNotContain("\"finish_reason\":\"length\"");
    String error = affected.lines().filter(l -> l.startsWith("data: {\"error\"")).findFirst()
        .orElseThrow(() -> new AssertionError("no error chunk in the affected stream: " + affected));
    // OpenAI's error shape, naming the lost rank: the ingress's words when the replica's gang restart cut the stream
    // ("lost rank(s) 1"), or the engine's when its step failed first ("rank(tp=1/2, ...) failed")
    JsonNode errorJson = JSON.readTree(error.substring("data: ".length())).path("error");
    assertThat(errorJson.path("type").asText()).isEqualTo("server_error");
    assertThat(errorJson.path("message").asText()).containsAnyOf("lost rank(s) " + lost, "rank(tp=" + lost + "/2");

    // the gang restarts: epoch 1, the lost bundle on the spare node, the other bundle where it was
    JsonNode after = Poll.upTo(Duration.ofSeconds(60)).every(Duration.ofMillis(100)).until(
        "the LLM group CREATED again at epoch >= 1", () -> llmGroup(rest),
        g -> g.path("epoch").asLong() >= 1 && g.path("state").asText().equals("CREATED"));
    assertThat(after.path("epoch").asLong()).as(String.valueOf(after)).isEqualTo(1);
    assertThat(after.path("state").asText()).isEqualTo("CREATED");
    assertThat(after.path("bundles").get(1 - lost).path("node_id").asText()).isEqualTo(rankNodes.get(1 - lost));
    String newNode = after.path("bundles").get(lost).path("node_id").asText();
    assertThat(newNode).isNotIn(rankNodes);

    // serving resumes on tp2 with the same greedy text
    List<String> tp2Failures = new ArrayList<>();
    String resumed = Poll.upTo(Duration.ofSeconds(60)).every(Duration.ofMillis(200)).until(
        "tp2 serving again (the failures meanwhile are listed below)", () -> {
          HttpResponse<String> r = HTTP.send(post(base + "/v1/completions",
              "{\"model\": \"tp2\", \"prompt\": \"" + PROMPT + "\", \"max_tokens\": 16, \"temperature\": 0}"),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return text(r);
          }
          tp2Failures.add(r.statusCode() + " " + r.body());
          assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).isNotBlank(); // OpenAI's shape
          return "(none yet; failures meanwhile: " + tp2Failures + ")";
        }, answer -> !answer.startsWith("(none yet"));
    double resumedAfter = seconds(killedAt);
    assertThat(resumed).as("tp2 serving again; failures meanwhile: %s", tp2Failures).isEqualTo(one);
    stop.set(true);
    other.get(30, TimeUnit.SECONDS);
    assertThat(otherModelFailures).as("requests to the other model's replica").isEmpty();
    assertThat(otherModelOk[0]).isGreaterThan(0);

    // troupe status shows the group at epoch 1 with its bundles on two live nodes, their GPU ids, and why it restarted
    CliHarness.Result status = cli.run("status", "--address", api);
    assertThat(status.out()).contains("Placement groups:").contains(after.path("placement_group_id").asText())
        .contains(newNode).contains("Last gang restarts:").contains("to epoch 1")
        .contains("died (lost bundle [" + lost + "])");
    System.out.printf("LLM e2e: cluster up %.1f s, app RUNNING %.1f s; after SIGKILL of %s (rank %d): in-flight "
            + "stream ended after %.1f s with %s; tp2 serving again at epoch 1 after %.1f s (%d failed tp2 requests "
            + "meanwhile, e.g. %s); %d requests to the other model, none failed%n", started, running, victimNode, lost,
        affectedAfter, error, resumedAfter, tp2Failures.size(),
        tp2Failures.isEmpty() ? "-" : tp2Failures.get(0), otherModelOk[0]);
  }

  private static JsonNode llmGroup(RestClient rest) {
    for (JsonNode g : StatusView.list(rest.get(PgCommand.PATH))) {
      if (g.path("name").asText("").contains("LlmServer-tp2")) {
        return g;
      }
    }
    throw new AssertionError("no placement group of LlmServer-tp2 in " + rest.get(PgCommand.PATH));
  }

  private static String completion(String base, String model, int maxTokens) throws Exception {
    HttpResponse<String> r = HTTP.send(post(base + "/v1/completions", """
        {"model": "%s", "prompt": "%s", "max_tokens": %d, "temperature": 0}""".formatted(model, PROMPT, maxTokens)),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return text(r);
  }

  private static String text(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("choices").get(0).path("text").asText();
  }

  private static HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
