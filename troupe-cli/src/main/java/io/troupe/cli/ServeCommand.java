package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.serve.config.ApplicationConfig;
import io.troupe.serve.config.ServeConfig;
import io.troupe.serve.config.ServeConfigException;
import io.troupe.serve.config.ServeConfigParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe serve deploy|status|config|shutdown|run}: serve applications through the head's REST
 * API ({@code /api/serve/applications/}). A config file is checked here first (the same parser as
 * the head's) so that mistakes name their line; the head then checks the rest (classes, resources)
 * and its refusals are printed as one line with its own message.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Deploy, inspect and remove serve applications.",
    subcommands = {ServeCommand.Deploy.class, ServeCommand.Status.class, ServeCommand.Config.class,
        ServeCommand.Shutdown.class, ServeRunCommand.class})
public final class ServeCommand implements Runnable {
  static final String PATH = "/api/serve/applications/";
  static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: deploy, status, config, shutdown or run");
  }

  /** {@code troupe serve deploy CONFIG.yaml [--wait S]}. */
  @Command(name = "deploy", mixinStandardHelpOptions = true,
      description = "Apply a serve config (YAML): its applications are created or updated, others are removed.")
  public static final class Deploy implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "The serve config file, e.g. examples/hello/serve.yaml.")
    Path file;

    @Option(names = "--wait", paramLabel = "SECONDS",
        description = "Wait up to SECONDS (at most 600) for every application to be RUNNING, then show the status.")
    Double waitS;

    public Deploy(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      if (waitS != null && (waitS.isNaN() || waitS < 0 || waitS > 600)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--wait must be a number of seconds between 0 and 600, got " + waitS);
      }
      Loaded config = load(file);
      RestClient client = api.client(ctx);
      deploy(client, config);
      if (api.json && waitS == null) {
        ctx.out().print(client.get(PATH).toPrettyString() + "\n");
        return 0;
      }
      ctx.out().println("Deployed " + file + " to " + client.baseUrl() + ":");
      ctx.out().print(ServeView.renderDeployed(config.parsed()));
      if (waitS != null) {
        JsonNode status = awaitRunning(client, config.parsed(), Duration.ofMillis(Math.round(waitS * 1000)));
        ctx.out().println();
        ctx.out().print(api.json ? status.toPrettyString() + "\n" : ServeView.renderStatus(status));
      } else {
        ctx.out().println("Watch it come up: troupe serve status");
      }
      ctx.out().flush();
      return 0;
    }
  }

  /** {@code troupe serve status [--json]}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the applications, their deployments (replicas by state) and replicas (nodes).")
  public static final class Status implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    public Status(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      JsonNode status = status(api.client(ctx));
      ctx.out().print(api.json ? status.toPrettyString() + "\n" : ServeView.renderStatus(status));
      ctx.out().flush();
      return 0;
    }
  }

  /** {@code troupe serve config}. */
  @Command(name = "config", mixinStandardHelpOptions = true,
      description = "Show the last applied config, as far as the head's REST API reports it.")
  public static final class Config implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    public Config(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      JsonNode status = status(api.client(ctx));
      List<JsonNode> configs = new ArrayList<>();
      status.path("applications").forEach(a -> {
        if (a.path("deployed_app_config").isObject()) {
          configs.add(a.path("deployed_app_config"));
        }
      });
      if (!configs.isEmpty()) {
        ctx.out().print(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(configs).toPrettyString() + "\n");
      } else {
        ctx.out().println("The head's REST API does not return the applied config file (GET " + PATH
            + " reports status only). What it reports:");
        ctx.out().println("  proxy_location: " + status.path("proxy_location").asText("-"));
        JsonNode http = status.path("http_options");
        ctx.out().println("  http_options:   " + (http.isObject()
            ? "host " + http.path("host").asText() + ", port " + http.path("port").asText() : "(no proxy running)"));
        if (status.path("applications").isEmpty()) {
          ctx.out().println("  applications:   none");
        }
        status.path("applications").properties().forEach(e -> {
          JsonNode a = e.getValue();
          StringBuilder deployments = new StringBuilder();
          a.path("deployments").properties().forEach(d -> deployments.append(deployments.isEmpty() ? "" : ", ")
              .append(d.getKey()).append(" (").append(d.getValue().path("target_num_replicas").asText("?"))
              .append(" replicas)"));
          ctx.out().println("  application " + e.getKey() + ": route_prefix " + a.path("route_prefix").asText("-")
              + ", ingress " + a.path("ingress_deployment").asText("-") + ", deployments " + deployments);
        });
        ctx.out().println("For the full file, keep the YAML you deployed (troupe serve deploy FILE).");
      }
      ctx.out().flush();
      return 0;
    }
  }

  /** {@code troupe serve shutdown}. */
  @Command(name = "shutdown", mixinStandardHelpOptions = true,
      description = "Remove every serve application (their replicas stop; the cluster keeps running).")
  public static final class Shutdown implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    public Shutdown(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      RestClient client = api.client(ctx);
      List<String> names = new ArrayList<>();
      status(client).path("applications").fieldNames().forEachRemaining(names::add);
      RestClient.Answer a = client.call("DELETE", PATH, null, RestClient.TIMEOUT);
      if (!a.ok()) {
        throw new CliException("cannot shut down serve applications: " + a.error());
      }
      ctx.out().println(names.isEmpty() ? "No serve applications were running."
          : "Removing " + names.size() + (names.size() == 1 ? " application: " : " applications: ")
              + String.join(", ", names) + " (their replicas drain and stop)");
      ctx.out().flush();
      return 0;
    }
  }

  /** A config file as text and as parsed. */
  record Loaded(String text, ServeConfig parsed) {}

  /** Reads and checks {@code file}; a missing file or a bad config is one line naming it. */
  static Loaded load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + file, Main.EXIT_USAGE);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage(), Main.EXIT_USAGE);
    }
    return parse(file.toString(), text);
  }

  static Loaded parse(String name, String text) {
    try {
      return new Loaded(text, ServeConfigParser.parse(text));
    } catch (ServeConfigException e) {
      throw new CliException(name + ": invalid serve config: " + e.getMessage());
    }
  }

  /** PUTs the config; the head's refusal becomes one line with its message. */
  static void deploy(RestClient client, Loaded config) {
    RestClient.Answer a = client.call("PUT", PATH, config.text(), RestClient.TIMEOUT);
    if (!a.ok()) {
      throw new CliException("cannot deploy: " + a.error());
    }
  }

  /** The serve status; a head without serving (404) gets a line saying so. */
  static JsonNode status(RestClient client) {
    RestClient.Answer a = client.call("GET", PATH, null, RestClient.TIMEOUT);
    if (a.status() == 404) {
      throw new CliException("the head at " + client.baseUrl() + " does not serve " + PATH
          + " (serving is not enabled on it)");
    }
    if (!a.ok()) {
      throw new CliException("cannot read the serve status: " + a.error());
    }
    return a.body();
  }

  /**
   * Polls until every application of {@code config} is RUNNING; fails at once when one is
   * DEPLOY_FAILED (with its message), or after {@code timeout} naming the ones still not running.
   */
  static JsonNode awaitRunning(RestClient client, ServeConfig config, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      JsonNode status = status(client);
      List<String> waiting = new ArrayList<>();
      for (ApplicationConfig app : config.applications()) {
        JsonNode a = status.path("applications").path(app.name());
        String s = a.path("status").asText("NOT_STARTED");
        if (s.equals("DEPLOY_FAILED")) {
          throw new CliException("application " + app.name() + " failed to deploy: "
              + a.path("message").asText("no message") + " (see 'troupe serve status')");
        }
        if (!s.equals("RUNNING")) {
          waiting.add(app.name() + " " + s + (a.path("message").asText("").isBlank() ? ""
              : " (" + a.path("message").asText().strip().lines().findFirst().orElse("") + ")"));
        }
      }
      if (waiting.isEmpty()) {
        return status;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException("not RUNNING after " + timeout.toSeconds() + " s: " + String.join(", ", waiting)
            + " (see 'troupe serve status')");
      }
      DemoCluster.pause(Duration.ofMillis(200));
    }
  }
}
