package io.troupe.cli;

import io.troupe.runtime.api.NodeConfig;
import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code troupe start}: validates every option into a {@link NodeConfig} first, checks the ports
 * and (for a worker) that a head answers, then either runs the node in this JVM ({@code --block},
 * see {@link ForegroundNode}) or spawns a node JVM in the background and waits until it is ready
 * (see {@link NodeLauncher}). Nothing is started when any check fails.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Start a Troupe node on this machine.",
        "  troupe start --head                      a head node (new cluster)",
        "  troupe start --address HOST:PORT         a worker that joins the head at HOST:PORT",
        "Without --block the node runs in the background; 'troupe stop' stops it."})
public final class StartCommand implements Callable<Integer> {
  private final CliContext ctx;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--head", description = "Start a head node: control service and REST API.")
  boolean head;

  @Option(names = "--address", paramLabel = "HOST:PORT", description = "Cluster address of the head to join (starts a worker).")
  String address;

  @Option(names = "--port", paramLabel = "PORT", description = "Cluster port (default: 6380 for a head, any free port for a worker).")
  Integer port;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to bind and advertise for cluster traffic (default: ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(names = "--dashboard-host", paramLabel = "HOST", description = "REST API bind address, head only (default: 127.0.0.1). Not loopback => a token is required.")
  String dashboardHost;

  @Option(names = "--dashboard-port", paramLabel = "PORT", description = "REST API port, head only (default: 8265; 0 = any free port).")
  Integer dashboardPort;

  @Option(names = "--dashboard-token", paramLabel = "TOKEN", description = "Bearer token the REST API requires (default: $TROUPE_DASHBOARD_TOKEN; generated when the dashboard host is not loopback).")
  String dashboardToken;

  @Option(names = "--num-cpus", paramLabel = "N", description = "Logical CPUs to offer (default: available processors).")
  Double numCpus;

  @Option(names = "--num-gpus", paramLabel = "N", description = "Logical GPUs to offer (default: detected with nvidia-smi, else 0).")
  Integer numGpus;

  @Option(names = "--gpu-ids", paramLabel = "ID,...", split = ",", description = "GPU instance ids, e.g. 0,1 (default: detected, or 0..N-1).")
  List<String> gpuIds;

  @Option(names = "--memory", paramLabel = "BYTES", description = "Memory to offer: bytes or 512M, 4G, ... (default: 70%% of physical memory).")
  String memory;

  @Option(names = "--resources", paramLabel = "JSON", description = "Custom resources, a JSON object, e.g. '{\"disk_gb\": 200}'.")
  String resources;

  @Option(names = "--labels", paramLabel = "K=V,...", description = "Node labels for label selectors, e.g. zone=a,tier=gpu.")
  String labels;

  @Option(names = "--classpath", paramLabel = "PATHS", description = "Extra application jars/directories for the node JVM (path-separator separated).")
  String classpath;

  @Option(names = "--failure-detection", paramLabel = "DURATION", description = "How long a silent node may stay unreachable before it is declared dead (default: 10s).")
  String failureDetection;

  @Option(names = "--join-timeout", paramLabel = "DURATION", description = "How long a worker tries to join the head (default: 20s).")
  String joinTimeout;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus /metrics of this node on "
      + "PORT (0 picks a free port; default: none — the head also serves /metrics on its REST API and the HTTP proxy).")
  Integer metricsPort;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Head only: persist the control state "
      + "(actors, placement groups, known nodes) here; a head restarted with the same directory rejoins the "
      + "surviving nodes and recovers it (default: in memory only).")
  String stateDir;

  @Option(names = "--serve-proxy-port", paramLabel = "PORT", description = "Port of this node's serve HTTP proxy "
      + "instead of the config's http_options.port (0 picks a free port; 'troupe serve status' lists the proxies). "
      + "For several nodes on one machine with proxy_location: EveryNode.")
  Integer serveProxyPort;

  @Option(names = "--autoscaling-config", paramLabel = "CLUSTER_YAML", description = "Head only: run the cluster "
      + "autoscaler with this cluster config (Ray's cluster-YAML shape: available_node_types, max_workers, "
      + "idle_timeout_minutes, provider); it launches and terminates worker nodes. See docs/autoscaling.md.")
  String autoscalingConfig;

  @Option(names = "--block", description = "Run the node in the foreground until it stops (Ctrl-C stops it).")
  boolean block;

  /** The parsed --autoscaling-config, set by {@link #toConfig()}. */
  private io.troupe.runtime.autoscaler.ClusterConfig cluster;

  public StartCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    NodeConfig config = toConfig();
    if (serveProxyPort != null) {
      checkPort("--serve-proxy-port", serveProxyPort);
    }
    Preflight.check(config);
    if (block) {
      return new ForegroundNode(ctx, withServing(config), java.util.Optional.ofNullable(cluster), extraClasspath()).run();
    }
    NodeRecord rec = launch(config);
    new NodeSummary(ctx.out()).print(rec, tokenGenerated(config));
    return 0;
  }

  /**
   * The node a CLI starts serves: the head {@code /api/serve/applications/} and its HTTP proxy, the other nodes
   * their proxy when the applied config says {@code proxy_location: EveryNode} (on {@code --serve-proxy-port}
   * when given).
   */
  NodeConfig withServing(NodeConfig config) {
    io.troupe.serve.api.ServeExtension.Builder serve = io.troupe.serve.api.ServeExtension.builder();
    if (serveProxyPort != null) {
      serve.proxyPort(serveProxyPort);
    }
    List<io.troupe.runtime.spi.NodeExtension> extensions = new ArrayList<>(config.extensions());
    extensions.add(serve.build());
    if (config.head()) {
      extensions.add(io.troupe.dashboard.DashboardExtension.create()); // the web dashboard on the REST API port
    }
    return config.toBuilder().extensions(extensions).build();
  }

  /** Spawns the node JVM for an already validated and checked config and waits until it is ready. */
  NodeRecord launch(NodeConfig config) {
    List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
    if (spec.parent() != null) {
      // Run as "troupe start ...": keep what follows the subcommand name.
      args = new ArrayList<>(args.subList(args.indexOf(spec.name()) + 1, args.size()));
    }
    return new NodeLauncher(ctx).launch(config, args, extraClasspath());
  }

  /** Parses and validates the options; a bad value is a usage error naming the option. */
  NodeConfig toConfig() {
    if (head == (address != null)) {
      throw usage(head
          ? "--head and --address exclude each other: --head starts a cluster, --address joins one"
          : "say what to start: --head for a new cluster, or --address HOST:PORT to join one");
    }
    NodeConfig.Builder b = NodeConfig.builder().head(head);
    b.host(checkHost("--host", host));
    if (address != null) {
      b.headAddress(parse("--address", address, OptionParsers::parseHostPort));
      String headOnly = dashboardHost != null ? "--dashboard-host"
          : dashboardPort != null ? "--dashboard-port"
          : dashboardToken != null ? "--dashboard-token" : null;
      if (headOnly != null) {
        throw usage(headOnly + " only applies to a head node (--head)");
      }
    }
    if (port != null) {
      b.port(checkPort("--port", port));
    }
    if (head) {
      String dHost = checkHost("--dashboard-host", dashboardHost == null ? "127.0.0.1" : dashboardHost);
      b.dashboardHost(dHost);
      b.dashboardPort(dashboardPort == null ? NodeConfig.DEFAULT_DASHBOARD_PORT : checkPort("--dashboard-port", dashboardPort));
      String token = dashboardToken != null ? dashboardToken : ctx.env().get("TROUPE_DASHBOARD_TOKEN");
      if (token != null && token.isBlank()) {
        throw usage("--dashboard-token is empty; give a token or leave the option out");
      }
      if (token == null && !isLoopback(dHost)) {
        token = generatedToken;
      }
      b.dashboardToken(token);
    }
    if (numCpus != null) {
      if (numCpus.isNaN() || numCpus.isInfinite() || numCpus < 0) {
        throw usage("--num-cpus must be a number >= 0, got " + numCpus);
      }
      b.numCpus(numCpus);
    }
    if (numGpus != null && numGpus < 0) {
      throw usage("--num-gpus must be a whole number >= 0, got " + numGpus);
    }
    b.numGpus(numGpus);
    if (gpuIds != null) {
      List<String> ids = gpuIds.stream().map(String::trim).toList();
      if (ids.stream().anyMatch(String::isEmpty) || ids.stream().distinct().count() != ids.size()) {
        throw usage("--gpu-ids must list distinct, non-empty ids, e.g. 0,1");
      }
      if (numGpus != null && numGpus != ids.size()) {
        throw usage("--gpu-ids lists " + ids.size() + " ids but --num-gpus is " + numGpus);
      }
      b.gpuIds(ids).numGpus(ids.size());
    }
    if (memory != null) {
      b.memoryBytes(parse("--memory", memory, OptionParsers::parseMemory));
    }
    if (resources != null) {
      b.resources(parse("--resources", resources, OptionParsers::parseResources));
    }
    if (labels != null) {
      b.labels(parse("--labels", labels, OptionParsers::parseLabels));
    }
    if (failureDetection != null) {
      b.failureDetection(parse("--failure-detection", failureDetection, OptionParsers::parseDuration));
    }
    if (joinTimeout != null) {
      b.joinTimeout(parse("--join-timeout", joinTimeout, OptionParsers::parseDuration));
    }
    if (metricsPort != null) {
      if (metricsPort < 0 || metricsPort > 65535) {
        throw usage("--metrics-port must be 0..65535, got " + metricsPort);
      }
      b.metricsPort(metricsPort);
    }
    if (stateDir != null) {
      if (!head) {
        throw usage("--state-dir is for the head only (workers keep no control state)");
      }
      b.stateDir(java.nio.file.Path.of(stateDir).toAbsolutePath());
    }
    extraClasspath(); // validates
    if (autoscalingConfig != null) {
      if (!head) {
        throw usage("--autoscaling-config is for the head only (the autoscaler runs there)");
      }
      cluster = ClusterConfigFile.read(Path.of(autoscalingConfig), this::usage);
    }
    return b.build();
  }

  /** Extra classpath entries, each checked to exist. */
  List<Path> extraClasspath() {
    List<Path> out = new ArrayList<>();
    if (classpath == null) {
      return out;
    }
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry);
      if (!Files.exists(p.toString().isEmpty() ? Path.of(".") : p)) {
        throw usage("--classpath entry '" + entry + "' does not exist");
      }
      out.add(Path.of(entry).toAbsolutePath());
    }
    return out;
  }

  /** True when the token in {@code config} was made up here (print it, the user needs it). */
  boolean tokenGenerated(NodeConfig config) {
    return config.dashboardToken() != null && config.dashboardToken().equals(generatedToken);
  }

  private final String generatedToken = newToken();

  private static String newToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private String checkHost(String option, String value) {
    if (value == null || value.isBlank() || value.contains(" ") || value.contains("/")) {
      throw usage(option + " must be a host name or IP address, got '" + value + "'");
    }
    return value.trim();
  }

  private int checkPort(String option, int value) {
    if (value < 0 || value > 65535) {
      throw usage(option + " must be a port number 0-65535, got " + value);
    }
    return value;
  }

  private <T> T parse(String option, String value, Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
