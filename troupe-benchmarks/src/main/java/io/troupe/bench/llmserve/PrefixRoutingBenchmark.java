package io.troupe.bench.llmserve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.tokenizer.Tokenizer;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.serve.api.ServeExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prefix-aware routing vs power of two choices on a shared-prefix workload, in one run (a program, not a
 * test; results in docs/benchmarks.md). An embedded {@link LocalCluster} (head + 2 workers, real Artery TCP on
 * loopback) serves two applications through the real HTTP proxy: {@code /pa} routes to its {@code replicas}
 * LlmServer replicas with {@code routing: prefix_aware}, {@code /p2} to as many with {@code routing: pow2};
 * same random model (the writer's preset), same engine options.
 *
 * <p>Workload per round: {@code tenants} tenants, each with its own long system prompt (~{@code sysTokens}
 * tokens), {@code questions} short questions each, shuffled; {@code clients} concurrent streaming clients
 * (closed loop). Each round uses new tenants (cold caches) and runs both policies one after the other (order
 * alternating by round). The KV cache of each replica is sized to hold {@code kvFraction} of all tenants'
 * prompts (plus the running requests): the replicas together can keep every tenant's prefix, one alone cannot.
 * Reported per policy: p50/p90 time to first token (first SSE chunk at the client), throughput (requests/s,
 * output tokens/s) and the prefix-cache hit rate (prompt tokens served from cache / looked up, from the
 * replicas' {@code troupe_llm_prefix_cache_*} metrics).
 *
 * <p>Arguments (all optional, {@code key=value}): rounds=3 tenants=8 questions=6 clients=4 replicas=2
 * sysTokens=500 maxTokens=8 kvFraction=0.6 preset=small.
 */
public final class PrefixRoutingBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();
  private static final String[] WORDS = ("account order invoice refund shipping warranty policy customer support "
      + "product service device battery screen network password login security billing payment subscription plan "
      + "upgrade delivery address return exchange repair manual guide settings profile email phone message team "
      + "manager contract price discount coupon store branch region country language weather travel booking "
      + "flight hotel ticket schedule meeting calendar report summary answer question politely briefly always "
      + "never first then only when please thanks sorry").split(" ");

  private record Params(int rounds, int tenants, int questions, int clients, int replicas, int sysTokens,
      int maxTokens, double kvFraction, String preset) {
  }

  private record Request(int tenant, String prompt) {
  }

  private record Outcome(long ttftNanos, long totalNanos) {
  }

  private record Phase(String policy, List<Long> ttfts, double seconds, int requests, double outputTokens,
      double hitRate) {
    double p(double q) {
      List<Long> s = new ArrayList<>(ttfts);
      Collections.sort(s);
      return s.get(Math.min(s.size() - 1, (int) Math.ceil(q * s.size()) - 1)) / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String s : args) {
      int eq = s.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("arguments are key=value, got " + s);
      }
      a.put(s.substring(0, eq), s.substring(eq + 1));
    }
    Params p = new Params(i(a, "rounds", 3), i(a, "tenants", 8), i(a, "questions", 6), i(a, "clients", 4),
        i(a, "replicas", 2), i(a, "sysTokens", 500), i(a, "maxTokens", 8),
        Double.parseDouble(a.getOrDefault("kvFraction", "0.6")), a.getOrDefault("preset", "small"));
    run(p);
    System.exit(0);
  }

  private static int i(Map<String, String> a, String k, int d) {
    return a.containsKey(k) ? Integer.parseInt(a.get(k)) : d;
  }

  private static void run(Params p) throws Exception {
    long t0 = System.nanoTime();
    Path model = Files.createTempDirectory("prefix-bench-model");
    RandomModelWriter.Spec spec = RandomModelWriter.Spec.of(RandomModelWriter.Preset.parse(p.preset()));
    RandomModelWriter.write(spec, model);
    ModelConfig mc = spec.config();
    Tokenizer tok = Tokenizer.fromDirectory(model);
    int blockSize = 16;
    long bytesPerToken = 2L * 4 * mc.numLayers() * mc.kvDim();
    // every tenant's prompt, times the fraction one replica may hold, plus room for the running requests
    long kvTokens = (long) (p.kvFraction() * p.tenants() * (p.sysTokens() + blockSize))
        + (long) p.clients() * (64 + p.maxTokens() + 2 * blockSize);
    long kvBytes = kvTokens * bytesPerToken;
    System.out.printf(Locale.ROOT, "model %s (hidden %d, %d layers, vocab %d), KV per replica %d tokens (%.1f MiB)%n",
        p.preset(), mc.hiddenSize(), mc.numLayers(), mc.vocabSize(), kvTokens, kvBytes / 1048576.0);

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(4)
        .extension(ServeExtension.create()).build())) {
      String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
      String base = "http://127.0.0.1:" + port;
      StringBuilder cfg = new StringBuilder("proxy_location: HeadOnly\nhttp_options: {host: 127.0.0.1, port: " + port
          + ", request_timeout_s: 300}\napplications:\n");
      for (String[] app : new String[][] {{"pa", "prefix_aware"}, {"p2", "pow2"}}) {
        cfg.append("  - name: ").append(app[0]).append("\n    route_prefix: /").append(app[0])
            .append("\n    import_path: io.troupe.llm.serve.LlmApps:fromArgs\n    args:\n      models:\n")
            .append("        - {model_id: m, model_source: '").append(model).append("', max_tokens: ")
            .append(p.maxTokens()).append(", kv_cache_bytes: ").append(kvBytes).append(", routing: ").append(app[1])
            .append("}\n    deployments:\n      - {name: LlmServer-m, num_replicas: ").append(p.replicas())
            .append("}\n");
      }
      HttpResponse<String> put = send("PUT", api, cfg.toString());
      if (put.statusCode() != 200) {
        throw new IllegalStateException("deploy failed: " + put.body());
      }
      waitRunning(api);
      System.out.printf(Locale.ROOT, "deployed in %.1f s%n", (System.nanoTime() - t0) / 1e9);

      List<Request> warm = workload(p, -1, Math.max(2, p.tenants() / 4), 2, tok, null);
      phase(cluster, base, "pa", warm, p);
      phase(cluster, base, "p2", warm, p);
      Map<String, List<Phase>> results = new LinkedHashMap<>();
      int[] promptTokens = new int[2];
      for (int r = 0; r < p.rounds(); r++) {
        List<Request> w = workload(p, r, p.tenants(), p.questions(), tok, promptTokens);
        List<String> order = r % 2 == 0 ? List.of("pa", "p2") : List.of("p2", "pa");
        for (String app : order) {
          Phase ph = phase(cluster, base, app, w, p);
          results.computeIfAbsent(app, k -> new ArrayList<>()).add(ph);
          System.out.printf(Locale.ROOT, "round %d %-12s TTFT p50 %7.1f ms p90 %7.1f ms | %5.2f req/s %6.1f tok/s "
              + "| prefix hit rate %4.1f%% | %.1f s%n", r, ph.policy(), ph.p(0.5), ph.p(0.9), ph.requests() / ph.seconds(),
              ph.outputTokens() / ph.seconds(), 100 * ph.hitRate(), ph.seconds());
        }
      }
      System.out.printf(Locale.ROOT, "prompts: %d tokens on average (system prompt + question), %d requests per "
          + "policy and round%n", promptTokens[0] / Math.max(1, promptTokens[1]), p.tenants() * p.questions());
      summary(results);
    }
    System.out.printf(Locale.ROOT, "whole run %.0f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void summary(Map<String, List<Phase>> results) {
    System.out.println("\nmedians over rounds (each figure separately):");
    Map<String, double[]> m = new LinkedHashMap<>();
    for (var e : results.entrySet()) {
      List<Phase> ps = e.getValue();
      double[] v = {median(ps.stream().mapToDouble(x -> x.p(0.5)).toArray()),
          median(ps.stream().mapToDouble(x -> x.p(0.9)).toArray()),
          median(ps.stream().mapToDouble(x -> x.requests() / x.seconds()).toArray()),
          median(ps.stream().mapToDouble(x -> x.outputTokens() / x.seconds()).toArray()),
          median(ps.stream().mapToDouble(Phase::hitRate).toArray())};
      m.put(e.getKey(), v);
      System.out.printf(Locale.ROOT, "%-12s TTFT p50 %7.1f ms  p90 %7.1f ms  %5.2f req/s  %6.1f tok/s  hit rate %4.1f%%%n",
          ps.get(0).policy(), v[0], v[1], v[2], v[3], 100 * v[4]);
    }
    double[] pa = m.get("pa");
    double[] p2 = m.get("p2");
    System.out.printf(Locale.ROOT, "prefix_aware / pow2: TTFT p50 %.2fx, p90 %.2fx, throughput %.2fx%n",
        pa[0] / p2[0], pa[1] / p2[1], pa[2] / p2[2]);
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Tenants' system prompts of about sysTokens tokens (new ones per round), questions shuffled. */
  private static List<Request> workload(Params p, int round, int tenants, int questions, Tokenizer tok,
      int[] promptTokens) {
    Random rnd = new Random(1000L * (round + 2));
    List<Request> out = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      StringBuilder sys = new StringBuilder("Round " + round + ", tenant " + t + ". You are the assistant of "
          + "company number " + (round * 100 + t) + ". ");
      while (tok.encode(sys.toString(), true).length < p.sysTokens()) {
        for (int k = 0; k < 20; k++) {
          sys.append(WORDS[rnd.nextInt(WORDS.length)]).append(k % 10 == 9 ? ". " : " ");
        }
      }
      for (int q = 0; q < questions; q++) {
        String question = "\nQuestion: what about my " + WORDS[rnd.nextInt(WORDS.length)] + " and "
            + WORDS[rnd.nextInt(WORDS.length)] + " number " + rnd.nextInt(10_000) + "?\nAnswer:";
        String prompt = sys + question;
        out.add(new Request(t, prompt));
        if (promptTokens != null) {
          promptTokens[0] += tok.encode(prompt, true).length;
          promptTokens[1]++;
        }
      }
    }
    Collections.shuffle(out, rnd);
    return out;
  }

  /** Runs {@code work} against application {@code app} with the configured clients; measures it. */
  private static Phase phase(LocalCluster cluster, String base, String app, List<Request> work, Params p)
      throws Exception {
    Map<String, Double> before = cacheCounters(cluster, app);
    ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>(work);
    ConcurrentLinkedQueue<Outcome> done = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < p.clients(); c++) {
      clients.add(Thread.ofVirtual().start(() -> {
        Request r;
        while ((r = queue.poll()) != null) {
          try {
            done.add(stream(base + "/" + app + "/v1/completions", r.prompt(), p.maxTokens()));
          } catch (Exception e) {
            errors.add(e);
          }
        }
      }));
    }
    for (Thread t : clients) {
      t.join(Duration.ofMinutes(10));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!errors.isEmpty()) {
      throw new IllegalStateException(errors.size() + " requests failed, first: " + errors.peek(), errors.peek());
    }
    Map<String, Double> after = cacheCounters(cluster, app);
    double queries = after.get("queries") - before.get("queries");
    double hits = after.get("hits") - before.get("hits");
    double outTokens = after.get("generated") - before.get("generated");
    return new Phase(app.equals("pa") ? "prefix_aware" : "pow2", done.stream().map(Outcome::ttftNanos).toList(),
        seconds, done.size(), outTokens, queries == 0 ? 0 : hits / queries);
  }

  /** One streaming completion: time to the first SSE chunk, and to [DONE]. */
  private static Outcome stream(String url, String prompt, int maxTokens) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "m", "prompt", prompt, "max_tokens", maxTokens,
        "temperature", 0, "stream", true));
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    long t = System.nanoTime();
    HttpResponse<InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
    long first = -1;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + in.readLine());
      }
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("data: ")) {
          if (first < 0) {
            first = System.nanoTime() - t;
          }
          if (line.equals("data: [DONE]")) {
            return new Outcome(first, System.nanoTime() - t);
          }
        }
      }
    }
    throw new IllegalStateException("stream ended without [DONE]");
  }

  /**
   * Prefix-cache queried/hit tokens and generated tokens, summed over {@code app}'s replicas: the Prometheus
   * exposition of every node of the cluster (a replica's series live on its node; the head's is also what the
   * proxy's {@code /metrics} serves), read in-process since the workers of a LocalCluster have no metrics port.
   */
  private static Map<String, Double> cacheCounters(LocalCluster cluster, String app) {
    StringBuilder all = new StringBuilder();
    for (TroupeNode n : cluster.nodes()) {
      all.append(n.metrics().scrape()).append('\n');
    }
    String text = all.toString();
    return Map.of("queries", sum(text, "troupe_llm_prefix_cache_queries_total", app),
        "hits", sum(text, "troupe_llm_prefix_cache_hits_total", app),
        "generated", sum(text, "troupe_llm_generation_tokens_total", app));
  }

  private static double sum(String exposition, String metric, String app) {
    Matcher m = Pattern.compile("^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
        .matcher(exposition);
    double total = 0;
    while (m.find()) {
      if (m.group(1).contains("replica=\"" + app + "#")) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private static void waitRunning(String api) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = JSON.readTree(send("GET", api, null).body());
      if (last.path("applications").path("pa").path("status").asText().equals("RUNNING")
          && last.path("applications").path("p2").path("status").asText().equals("RUNNING")) {
        return;
      }
      LockSupport.parkNanos(100_000_000L); // polling interval of a deadline loop
    }
    throw new IllegalStateException("applications not RUNNING in 3 minutes: " + last);
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
