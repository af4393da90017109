package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.cli.engines.FakeDistributedEngine;
import io.troupe.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * External engines as supervised process gangs, over real processes: {@code troupe start} spawns a head and two
 * workers with 2 logical GPUs each; the model {@code fake} is served by {@link FakeDistributedEngine} processes
 * ({@code engine: process}, TP=2, STRICT_SPREAD, two replicas), which truly rendezvous (the leader listens on
 * MASTER_PORT, the follower connects and heartbeats; a lost peer ends both) and report their GPUs and epoch:
 * <ol>
 *   <li>each process sees exactly its bundle's GPU id, and the two replicas hold different GPUs;</li>
 *   <li>SIGKILL of an engine process during a stream: the client gets an OpenAI-shaped error, the gang comes back at
 *       the next epoch with new processes, and no process of the old epoch of that gang is alive;</li>
 *   <li>SIGKILL of a worker node: its engine processes stop by themselves (no orphans), and the lost bundles move to
 *       the node left with free GPUs; the model serves again;</li>
 *   <li>an application whose command does not exist fails to deploy with that reason.</li>
 * </ol>
 */
@Tag("e2e")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ExternalEngineE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** {@code epoch=E nodes=N gpus=[0:ids@pid;1:ids@pid]}. */
  private static final Pattern IDENTITY = Pattern.compile("epoch=(\\d+) nodes=(\\d+) gpus=\\[([^]]*)]");

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

  /** What one answer says: epoch, and per node rank its GPU ids and pid. */
  record Identity(long epoch, Map<Integer, String> gpus, Map<Integer, Long> pids, String leader) {
    static Identity parse(String text) {
      Matcher m = IDENTITY.matcher(text);
      if (!m.find()) {
        throw new AssertionError("not an answer of the fake engine: " + text);
      }
      Map<Integer, String> gpus = new TreeMap<>();
      Map<Integer, Long> pids = new TreeMap<>();
      for (String part : m.group(3).split(";")) {
        String[] rank = part.split(":", 2);
        String[] idsPid = rank[1].split("@");
        gpus.put(Integer.parseInt(rank[0]), idsPid[0]);
        pids.put(Integer.parseInt(rank[0]), Long.parseLong(idsPid[1]));
      }
      Matcher l = Pattern.compile("leader=(\\S+)").matcher(text);
      return new Identity(Long.parseLong(m.group(1)), gpus, pids, l.find() ? l.group(1) : null);
    }
  }

  static String engineCommand() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = List.of(java.toString(), "-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), FakeDistributedEngine.class.getName(), "--model", "{model_id}");
    try {
      return JSON.writeValueAsString(cmd);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void processGangsRunInTheirBundlesRestartAsGangsAndLeaveNoOrphans() throws Exception {
    long t0 = System.nanoTime();
    int dashboard = FreePorts.pick();
    int http = FreePorts.pick();
    String headAddr = "127.0.0.1:" + FreePorts.pick();
    CliHarness.Result h = cli.run("start", "--head", "--port", headAddr.split(":")[1], "--dashboard-port",
        String.valueOf(dashboard), "--num-cpus", "8", "--num-gpus", "2", "--resources", "{\"head_slot\": 4}",
        "--failure-detection", "3s");
    assertThat(h.code()).as(h.err()).isZero();
    List<CompletableFuture<CliHarness.Result>> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(CompletableFuture.supplyAsync(() -> cli.run("start", "--address", headAddr, "--num-cpus", "4",
          "--num-gpus", "2", "--failure-detection", "3s")));
    }
    for (CompletableFuture<CliHarness.Result> w : workers) {
      CliHarness.Result r = w.get(90, TimeUnit.SECONDS);
      assertThat(r.code()).as(r.err()).isZero();
    }
    RestClient rest = new RestClient("http://127.0.0.1:" + dashboard, null);
    String base = "http://127.0.0.1:" + http;
    String config = """
        {"proxy_location": "HeadOnly", "http_options": {"host": "127.0.0.1", "port": %d, "request_timeout_s": 60},
         "applications": [{"name": "ext", "route_prefix": "/", "import_path": "io.troupe.llm.serve.LlmApps:fromArgs",
           "args": {"models": [{"model_id": "fake", "engine": "process", "command": %s,
             "tensor_parallel_size": 2, "num_gpus_per_rank": 1, "placement_strategy": "STRICT_SPREAD",
             "ready_timeout_s": 60, "graceful_shutdown_timeout_s": 2, "env": {"FAKE_EPOCH": "{epoch}"}}]},
           "deployments": [
             {"name": "LlmServer-fake", "num_replicas": 2},
             {"name": "OpenAiIngress", "ray_actor_options": {"num_cpus": 1, "resources": {"head_slot": 1}}}]},
          {"name": "bad", "route_prefix": "/bad", "import_path": "io.troupe.llm.serve.LlmApps:fromArgs",
           "args": {"models": [{"model_id": "nope", "engine": "process", "command": ["no-such-engine-xyz", "{port}"]}]},
           "deployments": [
             {"name": "OpenAiIngress", "ray_actor_options": {"num_cpus": 0.5, "resources": {"head_slot": 1}}}]}]}
        """.formatted(http, engineCommand());
    ServeCommand.Loaded loaded = ServeCommand.parse("test", config);
    ServeCommand.deploy(rest, loaded);
    poll(() -> ServeCommand.status(rest).path("applications").path("ext").path("status").asText(), "RUNNING"::equals,
        120);
    double running = seconds(t0);

    // 0. a command that does not exist: that application fails to deploy, saying so
    JsonNode failed = poll(() -> ServeCommand.status(rest).path("applications").path("bad"),
        a -> a.path("status").asText().equals("DEPLOY_FAILED") || a.toString().contains("no-such-engine-xyz"), 90);
    assertThat(failed.toString()).contains("no-such-engine-xyz").contains("not found");

    // 1. each process sees exactly its bundle's GPU id; the two replicas hold different GPUs
    List<JsonNode> groups = poll(() -> fakeGroups(rest), g -> g.size() == 2, 30);
    Set<String> expected = new HashSet<>();
    Set<String> nodeGpu = new HashSet<>();
    for (JsonNode g : groups) {
      JsonNode b = g.path("bundles");
      assertThat(b.get(0).path("node_id").asText()).isNotEqualTo(b.get(1).path("node_id").asText()); // STRICT_SPREAD
      expected.add(b.get(0).path("gpu_ids").get(0).asText() + "|" + b.get(1).path("gpu_ids").get(0).asText());
      for (JsonNode bundle : b) {
        assertThat(bundle.path("gpu_ids")).hasSize(1);
        assertThat(nodeGpu.add(bundle.path("node_id").asText() + "/" + bundle.path("gpu_ids").get(0).asText()))
            .as("two bundles share a GPU").isTrue();
      }
    }
    Map<String, Identity> seen = new TreeMap<>(); // "gpu0|gpu1" -> identity
    for (int i = 0; i < 40 && seen.size() < 2; i++) {
      Identity id = Identity.parse(completion(base, "prompt " + i, 4));
      assertThat(id.gpus().values()).allSatisfy(g -> assertThat(g).matches("[0-9]+")); // exactly one GPU each
      seen.put(id.gpus().get(0) + "|" + id.gpus().get(1), id);
    }
    assertThat(seen.keySet()).isEqualTo(expected);
    measureIngressOverhead(base, "http://" + seen.values().iterator().next().leader());

    // 2. SIGKILL the leader engine process of one replica during a stream
    HttpResponse<java.io.InputStream> streaming = HTTP.send(post(base + "/v1/completions",
        "{\"model\": \"fake\", \"prompt\": \"long\", \"max_tokens\": 400, \"stream\": true}"),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(streaming.statusCode()).isEqualTo(200);
    java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(streaming.body(),
        java.nio.charset.StandardCharsets.UTF_8));
    String firstChunk = null;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (line.startsWith("data: {")) {
        firstChunk = line;
        break;
      }
    }
    Identity victim = Identity.parse(JSON.readTree(firstChunk.substring(6)).path("choices").get(0).path("text")
        .asText());
    String victimGpus = victim.gpus().get(0) + "|" + victim.gpus().get(1);
    long killedAt = System.nanoTime();
    ProcessHandle.of(victim.pids().get(0)).orElseThrow().destroyForcibly(); // SIGKILL of the leader process
    StringBuilder rest1 = new StringBuilder();
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      rest1.append(line).append('\n');
    }
    String errorLine = rest1.toString().lines().filter(l -> l.startsWith("data: {\"error\"")).findFirst()
        .orElseThrow(() -> new AssertionError("no OpenAI error in the broken stream:\n" + rest1));
    assertThat(JSON.readTree(errorLine.substring(6)).path("error").path("message").asText()).isNotBlank();
    assertThat(rest1.toString()).doesNotContain("\"finish_reason\":\"length\"");
    Identity restarted = poll(() -> {
      try {
        return Identity.parse(completion(base, "again " + System.nanoTime(), 2));
      } catch (Exception | AssertionError e) {
        return null;
      }
    }, id -> id != null && id.epoch() > victim.epoch()
        && (id.gpus().get(0) + "|" + id.gpus().get(1)).equals(victimGpus), 90);
    double gangBackAfter = seconds(killedAt);
    assertThat(restarted.pids().values()).doesNotContainAnyElementsOf(victim.pids().values());
    for (long pid : victim.pids().values()) {
      poll(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive, 20);
    }
    System.out.printf("gang of %s back at epoch %d after %.1f s%n", victimGpus, restarted.epoch(), gangBackAfter);

    // 3. SIGKILL a worker node: its engine processes stop by themselves; the bundles move to the node left
    String headId = cli.session().liveNodes().stream().filter(NodeRecord::head).findFirst().orElseThrow().nodeId();
    List<JsonNode> before = fakeGroups(rest);
    String victimNode = null;
    for (JsonNode g : before) {
      for (JsonNode b : g.path("bundles")) {
        if (!b.path("node_id").asText().equals(headId)) {
          victimNode = b.path("node_id").asText();
        }
      }
    }
    String vn = victimNode;
    NodeRecord worker = cli.session().liveNodes().stream().filter(r -> r.nodeId().equals(vn)).findFirst().orElseThrow();
    List<Long> enginePids = ProcessHandle.of(worker.pid()).orElseThrow().descendants().map(ProcessHandle::pid)
        .filter(p -> cmdline(p).contains(FakeDistributedEngine.class.getName())).toList();
    assertThat(enginePids).as("engine processes under worker %s (pid %d)", vn, worker.pid()).isNotEmpty();
    long nodeKilledAt = System.nanoTime();
    ProcessHandle.of(worker.pid()).orElseThrow().destroyForcibly(); // SIGKILL of the node JVM
    for (long pid : enginePids) {
      poll(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive, 20);
    }
    double orphansGoneAfter = seconds(nodeKilledAt);
    List<JsonNode> moved = poll(() -> fakeGroups(rest), gs -> gs.size() == 2 && gs.stream().allMatch(g ->
        g.path("state").asText().equals("CREATED") && !g.path("bundles").toString().contains(vn)), 90);
    assertThat(moved).hasSize(2);
    Identity served = poll(() -> {
      try {
        return Identity.parse(completion(base, "after node loss " + System.nanoTime(), 2));
      } catch (Exception | AssertionError e) {
        return null;
      }
    }, id -> id != null, 90);
    assertThat(served.gpus()).hasSize(2);
    double servingAfterNodeLoss = seconds(nodeKilledAt);

    System.out.printf("external engine e2e: RUNNING %.1f s; gang restart after a killed engine process %.1f s; "
        + "engine processes gone %.1f s after their node's SIGKILL; serving again %.1f s after it%n", running,
        gangBackAfter, orphansGoneAfter, servingAfterNodeLoss);
  }

  /**
   * Prints the ingress's added latency (medians over 30 requests, same run): a whole request, and a streamed
   * request of 32 chunks per chunk, through proxy + ingress + replica vs straight to one leader. Both replicas'
   * leaders are equivalent; the direct calls go to one of them.
   */
  private static void measureIngressOverhead(String base, String leader) throws Exception {
    String unary = "{\"model\": \"fake\", \"prompt\": \"x\", \"max_tokens\": 4}";
    String streamed = "{\"model\": \"fake\", \"prompt\": \"x\", \"max_tokens\": 32, \"stream\": true}";
    for (int i = 0; i < 5; i++) { // warm-up
      timed(base + "/v1/completions", unary);
      timed(leader + "/v1/completions", unary);
    }
    double[] viaUnary = new double[30];
    double[] directUnary = new double[30];
    double[] viaStream = new double[30];
    double[] directStream = new double[30];
    for (int i = 0; i < 30; i++) {
      viaUnary[i] = timed(base + "/v1/completions", unary);
      directUnary[i] = timed(leader + "/v1/completions", unary);
      viaStream[i] = timed(base + "/v1/completions", streamed);
      directStream[i] = timed(leader + "/v1/completions", streamed);
    }
    double u = median(viaUnary) - median(directUnary);
    double s = (median(viaStream) - median(directStream)) / 32;
    System.out.printf("ingress overhead: whole request median %.2f ms via ingress vs %.2f ms direct (+%.2f ms); "
        + "32-chunk stream median %.1f ms vs %.1f ms (+%.3f ms per chunk)%n", median(viaUnary), median(directUnary), u,
        median(viaStream), median(directStream), s);
  }

  private static double timed(String url, String body) throws Exception {
    long t = System.nanoTime();
    HttpResponse<String> r = HTTP.send(post(url, body), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return (System.nanoTime() - t) / 1e6;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c[c.length / 2];
  }

  /** A process's full command line from /proc (the JDK's ProcessHandle.Info drops very long ones). */
  private static String cmdline(long pid) {
    try {
      return new String(java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static List<JsonNode> fakeGroups(RestClient rest) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode g : StatusView.list(rest.get(PgCommand.PATH))) {
      if (g.path("name").asText("").contains("LlmServer-fake") && !g.path("state").asText().equals("REMOVED")) {
        out.add(g);
      }
    }
    return out;
  }

  private static String completion(String base, String prompt, int maxTokens) throws Exception {
    HttpResponse<String> r = HTTP.send(post(base + "/v1/completions", """
        {"model": "fake", "prompt": "%s", "max_tokens": %d}""".formatted(prompt, maxTokens)),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError(r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).path("choices").get(0).path("text").asText();
  }

  private static HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static <T> T poll(Supplier<T> get, Predicate<T> ok, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    T last = null;
    while (true) {
      try {
        last = get.get();
        if (ok.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached in " + seconds + " s; last: " + last);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
