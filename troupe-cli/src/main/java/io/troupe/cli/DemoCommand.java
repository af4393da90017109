package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code troupe demo}: the main job, a serving demo. It starts a local cluster — a head and two
 * workers, each its own JVM, with declared (logical) resources: the workers offer 2 GPUs each even
 * on a machine without any, as Ray allows — deploys the hello example (examples/hello/serve.yaml,
 * from the classpath) behind the head's HTTP proxy, waits until it is RUNNING, calls it once over
 * HTTP and prints the answer, the curl line and the cluster status. If a cluster started from this
 * machine already runs it only shows its status and its serve applications. If a node fails to
 * start, the nodes the demo already started are stopped again; if the example does not come up, the
 * cluster keeps running and the error says how to look.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local cluster (a head and two workers, separate processes), serve the hello example "
        + "over HTTP, call it once and show the status.")
public final class DemoCommand implements Callable<Integer> {
  static final String HELLO_CONFIG = "/examples/hello/serve.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final CliContext ctx;

  @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8000",
      description = "Port of the HTTP proxy on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int httpPort;

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
      ctx.out().print(StatusView.render(client.get(StatusCommand.PATH)));
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
    DemoCluster cluster = DemoCluster.start(ctx);
    try {
      serveHello(cluster.client(), httpPort);
    } catch (CliException e) {
      throw new CliException(Main.oneLine(e.getMessage()) + "; the cluster keeps running ('troupe serve status' shows "
          + "the application, logs are in " + ctx.session().logsDir() + ", 'troupe stop' stops it)");
    }
    ctx.out().println();
    ctx.out().println("The cluster (troupe status):");
    ctx.out().println();
    ctx.out().print(StatusView.render(cluster.client().get(StatusCommand.PATH)));
    nextSteps();
    return 0;
  }

  /** Deploys the hello example with its proxy on {@code port}, waits for RUNNING, calls it once; prints each step. */
  void serveHello(RestClient client, int port) {
    ServeCommand.Loaded config = ServeCommand.parse("examples/hello/serve.yaml", helloConfig(port));
    String url = ServeView.url(config.parsed().httpOptions().host(), config.parsed().httpOptions().port(),
        config.parsed().applications().get(0).routePrefix().orElse("/")) + "?name=you";
    ctx.out().println();
    ctx.out().println("Deploying the hello example (examples/hello/serve.yaml: io.troupe.examples.hello.Hello, "
        + "2 replicas, HTTP proxy on port " + port + ")...");
    ctx.out().flush();
    ServeCommand.deploy(client, config);
    JsonNode status = ServeCommand.awaitRunning(client, config.parsed(), ServeCommand.DEPLOY_TIMEOUT);
    ctx.out().println();
    ctx.out().print(ServeView.renderStatus(status));
    HttpResponse<String> resp = call(url);
    ctx.out().println();
    ctx.out().println("GET " + url + " -> HTTP " + resp.statusCode() + ": " + resp.body().strip());
    ctx.out().println("  served by replica " + resp.headers().firstValue("x-troupe-replica").orElse("?")
        + " on node " + resp.headers().firstValue("x-troupe-node").orElse("?"));
    if (resp.statusCode() != 200) {
      throw new CliException("the hello example answered HTTP " + resp.statusCode() + ": " + resp.body().strip());
    }
    ctx.out().println();
    ctx.out().println("Try it yourself:");
    ctx.out().println("  curl '" + url + "'");
    ctx.out().flush();
  }

  /** examples/hello/serve.yaml from the classpath, as JSON, with the proxy on {@code port}. */
  static String helloConfig(int port) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(HELLO_CONFIG)) {
      if (in == null) {
        throw new CliException("examples/hello/serve.yaml is not on the classpath (troupe-examples); rebuild with "
            + "'./mvnw -DskipTests install'");
      }
      ObjectNode root = (ObjectNode) YAML.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      root.withObject("http_options").put("port", port);
      return root.toString();
    } catch (IOException e) {
      throw new CliException("cannot read examples/hello/serve.yaml: " + e.getMessage());
    }
  }

  private static HttpResponse<String> call(String url) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliException("the hello example is RUNNING but " + url + " did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  private void nextSteps() {
    ctx.out().println();
    ctx.out().println("The cluster keeps running in the background. Next:");
    ctx.out().println("  curl 'http://127.0.0.1:" + httpPort + "/hello?name=you'   call the example");
    ctx.out().println("  ./troupe serve status          the applications, deployments and replicas");
    ctx.out().println("  ./troupe serve deploy examples/placement/serve.yaml   a replica with a 2-GPU placement group");
    ctx.out().println("  ./troupe status                the nodes and their resources");
    ctx.out().println("  ./troupe list actors           the actors (the replicas are actors)");
    ctx.out().println("  ./troupe stop                  stop it");
    ctx.out().flush();
  }
}
