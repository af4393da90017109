package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.troupe.llm.model.RandomModelWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code troupe demo}: the main job, an LLM serving demo. It starts a local cluster — a head and two workers,
 * each its own JVM, with declared (logical) resources: the workers offer 2 GPUs each even on a machine without
 * any, as Ray allows — writes the demo model (a tiny Llama-shaped model with random weights) under
 * {@code $TROUPE_HOME/models/} ({@code ~/.troupe}) if it is not there yet, and deploys it behind the OpenAI API
 * with {@code tensor_parallel_size = 2} placed STRICT_SPREAD: one bundle of one GPU per rank, on two different
 * workers (the replica's placement group; the rank actors live in its bundles). The hello example rides along on
 * {@code /hello}. It waits until both are RUNNING, prints the placement group (bundles, nodes, GPU ids), streams
 * one completion to the terminal as it is generated, and leaves everything running: the OpenAI API on
 * {@code 127.0.0.1:8000}, the REST API on {@code 127.0.0.1:8265}. Each step prints a line first (the build, the
 * model and the deployment take a while on a small machine).
 *
 * <p>If a cluster started from this machine already runs it only shows its status, its placement groups and
 * its serve applications. If a node fails to start, the nodes the demo already started are stopped again; if
 * the applications do not come up, the cluster keeps running and the error says how to look.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local cluster (a head and two workers, separate processes), serve an LLM with "
        + "tensor_parallel_size=2 across both workers behind the OpenAI API, stream a completion and keep serving.")
public final class DemoCommand implements Callable<Integer> {
  static final String HELLO_CONFIG = "/examples/hello/serve.yaml";
  /** What clients send as {@code model}. */
  static final String MODEL_ID = "demo";
  static final String PROMPT = "Troupe serves models on a cluster of";
  static final int STREAM_TOKENS = 24;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CliContext ctx;

  @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8000",
      description = "Port of the HTTP proxy (OpenAI API) on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Cluster port of the head (default: 6380, as for 'troupe start --head').")
  Integer clusterPort;

  @Option(names = "--dashboard-port", paramLabel = "PORT",
      description = "REST API port of the head (default: 8265).")
  Integer dashboardPort;

  public DemoCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Optional<NodeRecord> running = ctx.session().liveHead();
    if (running.isPresent()) {
      RestClient client = DemoCluster.client(running.get());
      ctx.out().println("A Troupe cluster started from this machine is already running (head "
          + running.get().nodeId() + ", pid " + running.get().pid() + "). Its status:");
      ctx.out().println();
      ctx.out().print(StatusCommand.render(client));
      ctx.out().println();
      try {
        ctx.out().print(ServeView.renderStatus(ServeCommand.status(client)));
      } catch (CliException e) {
        ctx.out().println("Serving: " + e.getMessage());
      }
      nextSteps();
      return 0;
    }
    if (httpPort < 1 || httpPort > 65535) {
      throw new CliException("--http-port must be 1..65535, got " + httpPort, Main.EXIT_USAGE);
    }
    step("[1/4] Starting a local cluster: a head and two workers with 2 logical GPUs each (3 JVMs)...");
    List<String> headArgs = new java.util.ArrayList<>();
    if (clusterPort != null) {
      headArgs.addAll(List.of("--port", clusterPort.toString()));
    }
    if (dashboardPort != null) {
      headArgs.addAll(List.of("--dashboard-port", dashboardPort.toString()));
    }
    DemoCluster cluster = DemoCluster.start(ctx, headArgs);
    try {
      Path model = modelDir(ctx);
      step("");
      step("[2/4] The demo model: " + model);
      ensureModel(model);
      serveDemo(cluster.client(), httpPort, model);
    } catch (CliException e) {
      throw new CliException(Main.oneLine(e.getMessage()) + "; the cluster keeps running ('troupe serve status' shows "
          + "the applications, logs are in " + ctx.session().logsDir() + ", 'troupe stop' stops it)");
    }
    ctx.out().println();
    ctx.out().println("The cluster (troupe status):");
    ctx.out().println();
    ctx.out().print(StatusCommand.render(cluster.client()));
    nextSteps();
    return 0;
  }

  /** {@code $TROUPE_HOME/models/demo} (or {@code ~/.troupe/models/demo}): outside the repository. */
  static Path modelDir(CliContext ctx) {
    return ctx.session().root().resolve("models").resolve(MODEL_ID);
  }

  /** Writes the demo model (tiny preset, random weights, ~0.6 MB) unless a complete one is there. */
  void ensureModel(Path dir) {
    if (Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("tokenizer.json"))) {
      step("      already there (delete the folder to write it again)");
      return;
    }
    step("      writing it (a tiny Llama-shaped model with random weights: its text is noise; point model_source "
        + "at a real checkpoint for real text)...");
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(dir.getParent());
      long bytes = RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), tmp);
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir);
      }
      step("      wrote " + OptionParsers.formatBytes(bytes));
    } catch (IOException e) {
      throw new CliException("cannot write the demo model to " + dir + ": " + e.getMessage());
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * Deploys the demo config (the LLM on {@code /}, hello on {@code /hello}) with the proxy on {@code port}, waits
   * for RUNNING, prints the LLM replica's placement group, streams one completion and calls hello; prints each step.
   */
  void serveDemo(RestClient client, int port, Path model) {
    ServeCommand.Loaded config = ServeCommand.parse("the demo config", demoConfig(port, model));
    step("");
    step("[3/4] Deploying: model '" + MODEL_ID + "' with tensor_parallel_size=2, one rank per GPU bundle, the two "
        + "bundles STRICT_SPREAD over the two workers; OpenAI API on http://127.0.0.1:" + port
        + "; hello example on /hello. Waiting until RUNNING (the ranks load their shards)...");
    ServeCommand.deploy(client, config);
    JsonNode status = ServeCommand.awaitRunning(client, config.parsed(), ServeCommand.DEPLOY_TIMEOUT);
    ctx.out().println();
    ctx.out().print(ServeView.renderStatus(status));
    ctx.out().println();
    JsonNode groups = client.get(PgCommand.PATH);
    String replicaNode = null;
    for (JsonNode g : StatusView.list(groups)) {
      if (g.path("name").asText("").contains("LlmServer-" + MODEL_ID)) {
        ctx.out().println("The LLM replica's placement group (one bundle per rank; the replica runs in bundle 0):");
        ctx.out().print(PlacementGroupsView.renderOne(g));
        replicaNode = g.path("bundles").path(0).path("node_id").asText(null);
      }
    }
    String base = "http://127.0.0.1:" + port;
    step("");
    step("[4/4] A streamed completion (POST " + base + "/v1/completions, \"stream\": true, greedy):");
    ctx.out().print("  " + PROMPT);
    ctx.out().flush();
    String finish = streamCompletion(base, ctx.out()::print, ctx.out()::flush);
    ctx.out().println();
    ctx.out().println("  (finish_reason: " + finish + ")");
    ctx.out().println();
    ctx.out().println(llmMetricsHint(replicaNode, client.get(StatusCommand.PATH)));
    HttpResponse<String> hello = get(base + "/hello?name=you");
    ctx.out().println();
    ctx.out().println("GET " + base + "/hello?name=you -> HTTP " + hello.statusCode() + ": " + hello.body().strip());
    if (hello.statusCode() != 200) {
      throw new CliException("the hello example answered HTTP " + hello.statusCode() + ": " + hello.body().strip());
    }
    ctx.out().println();
    ctx.out().println("Try it yourself:");
    ctx.out().print(curls(port));
    ctx.out().flush();
  }

  /**
   * Where the LLM metrics are: the {@code metrics_url} (from {@code GET /api/cluster/status}) of the node that runs
   * the LLM replica, with a curl that shows its time-to-first-token histogram.
   */
  static String llmMetricsHint(String replicaNode, JsonNode status) {
    String url = metricsUrl(replicaNode, status);
    if (url == null) {
      return "The LLM metrics (troupe_llm_*) are on the node that runs the replica (" + (replicaNode == null
          ? "unknown" : replicaNode) + "), which advertises no /metrics URL ('troupe status' lists the nodes' URLs).";
    }
    return "The LLM metrics (troupe_llm_*, and the replica's troupe_serve_*) are on the replica's node " + replicaNode + ":\n"
        + "  curl -s " + url + " | grep troupe_llm_time_to_first_token";
  }

  /** The {@code metrics_url} of {@code nodeId} in a cluster status, or null. */
  static String metricsUrl(String nodeId, JsonNode status) {
    for (JsonNode n : StatusView.list(status.path("nodes"))) {
      if (n.path("node_id").asText().equals(nodeId) && n.hasNonNull("metrics_url")) {
        return n.get("metrics_url").asText();
      }
    }
    return null;
  }

  static String curls(int port) {
    String base = "http://127.0.0.1:" + port;
    return "  curl -s " + base + "/v1/models\n"
        + "  curl -s " + base + "/v1/completions -H 'content-type: application/json' \\\n"
        + "    -d '{\"model\": \"" + MODEL_ID + "\", \"prompt\": \"Hello\", \"max_tokens\": 16, \"temperature\": 0}'\n"
        + "  curl -sN " + base + "/v1/chat/completions -H 'content-type: application/json' \\\n"
        + "    -d '{\"model\": \"" + MODEL_ID + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], "
        + "\"stream\": true}'\n"
        + "  curl '" + base + "/hello?name=you'\n";
  }

  /**
   * POSTs a streaming greedy completion of {@link #PROMPT} and hands each text delta to {@code sink} as it arrives;
   * returns the finish reason. An HTTP error or an error event is a {@link CliException} with its message.
   */
  static String streamCompletion(String base, java.util.function.Consumer<String> sink, Runnable flush) {
    String body = JSON.createObjectNode().put("model", MODEL_ID).put("prompt", PROMPT).put("max_tokens", STREAM_TOKENS)
        .put("temperature", 0).put("stream", true).toString();
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/completions")).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<Stream<String>> resp;
    try {
      resp = http().send(req, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw new CliException("the LLM is RUNNING but " + base + "/v1/completions did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    String finish = null;
    try (Stream<String> lines = resp.body()) {
      if (resp.statusCode() != 200) {
        throw new CliException("POST /v1/completions answered HTTP " + resp.statusCode() + ": "
            + String.join(" ", lines.toList()));
      }
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
          continue;
        }
        JsonNode chunk = JSON.readTree(line.substring(6));
        if (chunk.has("error")) {
          throw new CliException("the completion failed: " + chunk.path("error").path("message").asText());
        }
        JsonNode choice = chunk.path("choices").path(0);
        String text = choice.path("text").asText("");
        if (!text.isEmpty()) {
          sink.accept(text);
          flush.run();
        }
        if (!choice.path("finish_reason").isNull() && choice.has("finish_reason")) {
          finish = choice.path("finish_reason").asText();
        }
      }
    } catch (IOException e) {
      throw new CliException("the completion stream broke: " + e.getMessage());
    }
    return finish;
  }

  /**
   * The demo's serve config as JSON: application {@code llm} on {@code /} ({@code LlmApps:fromArgs} with the demo
   * model, tp = 2, one GPU per rank, STRICT_SPREAD) and the hello example ({@code examples/hello/serve.yaml}) on
   * {@code /hello}, the proxy on {@code port}.
   */
  static String demoConfig(int port, Path model) {
    ObjectNode root = helloYaml();
    root.withObject("http_options").put("port", port).put("request_timeout_s", 120);
    ArrayNode apps = (ArrayNode) root.path("applications");
    ObjectNode llm = JSON.createObjectNode().put("name", "llm").put("route_prefix", "/")
        .put("import_path", "io.troupe.llm.serve.LlmApps:fromArgs");
    llm.withObject("args").withArray("models").addObject().put("model_id", MODEL_ID)
        .put("model_source", model.toAbsolutePath().toString()).put("tensor_parallel_size", 2)
        .put("num_gpus_per_rank", 1).put("max_tokens", 32);
    llm.withArray("deployments").addObject().put("name", "LlmServer-" + MODEL_ID)
        .put("placement_group_strategy", "STRICT_SPREAD");
    apps.insert(0, llm);
    return root.toString();
  }

  /** examples/hello/serve.yaml from the classpath (troupe-examples). */
  private static ObjectNode helloYaml() {
    try (InputStream in = DemoCommand.class.getResourceAsStream(HELLO_CONFIG)) {
      if (in == null) {
        throw new CliException("examples/hello/serve.yaml is not on the classpath (troupe-examples); rebuild with "
            + "'./mvnw -DskipTests install'");
      }
      return (ObjectNode) YAML.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliException("cannot read examples/hello/serve.yaml: " + e.getMessage());
    }
  }

  private static HttpClient http() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static HttpResponse<String> get(String url) {
    try {
      return http().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliException(url + " did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  private void step(String line) {
    ctx.out().println(line);
    ctx.out().flush();
  }

  private static void deleteQuietly(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp folder is harmless
    }
  }

  private void nextSteps() {
    ctx.out().println();
    ctx.out().println("The cluster keeps running in the background: OpenAI API on http://127.0.0.1:" + httpPort
        + "/v1, REST API on http://127.0.0.1:" + (dashboardPort == null ? 8265 : dashboardPort) + ". Next:");
    ctx.out().print(curls(httpPort));
    ctx.out().println("  ./troupe serve status          the applications, deployments and replicas");
    ctx.out().println("  ./troupe status                nodes, resources, metrics URLs and placement groups (bundles, GPU ids)");
    ctx.out().println("  curl -s http://127.0.0.1:" + (dashboardPort == null ? 8265 : dashboardPort)
        + "/api/prometheus/sd   every node's /metrics as Prometheus targets (http_sd_configs)");
    ctx.out().println("  ./troupe list actors           the actors (replicas and LLM rank actors)");
    ctx.out().println("  ./troupe stop                  stop it");
    ctx.out().flush();
  }
}
