package io.troupe.cli;

import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.autoscaler.ClusterConfig;
import io.troupe.runtime.autoscaler.NodeType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe up cluster.yaml}: starts a head on this machine that runs the cluster autoscaler with the config
 * (Ray's {@code ray up}); the head gets {@code head_node_type}'s resources and labels when the config names one.
 * The same as {@code troupe start --head --autoscaling-config cluster.yaml} plus those resources.
 */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Start a cluster from a cluster config: a head on this machine running the cluster autoscaler,",
        "which launches worker nodes for pending demand and min_workers (see docs/autoscaling.md)."})
public final class UpCommand implements Callable<Integer> {
  private final CliContext ctx;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CLUSTER_YAML", description = "The cluster config.")
  Path file;

  @Option(names = "--port", paramLabel = "PORT", description = "The head's cluster port (default: 6380).")
  Integer port;

  @Option(names = "--dashboard-port", paramLabel = "PORT", description = "REST API port (default: 8265).")
  Integer dashboardPort;

  @Option(names = "--classpath", paramLabel = "PATHS", description = "Extra application jars/directories.")
  String classpath;

  @Option(names = "--block", description = "Run the head in the foreground (Ctrl-C stops it and the cluster).")
  boolean block;

  public UpCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    ClusterConfig config = ClusterConfigFile.read(file, m -> new CommandLine.ParameterException(spec.commandLine(), m));
    List<String> args = new ArrayList<>(List.of("start", "--head", "--autoscaling-config",
        file.toAbsolutePath().toString()));
    config.headNodeType().map(config.nodeTypes()::get).ifPresent(t -> args.addAll(headArgs(t)));
    if (port != null) {
      args.addAll(List.of("--port", port.toString()));
    }
    if (dashboardPort != null) {
      args.addAll(List.of("--dashboard-port", dashboardPort.toString()));
    }
    if (classpath != null) {
      args.addAll(List.of("--classpath", classpath));
    }
    if (block) {
      args.add("--block");
    }
    return Main.execute(args.toArray(String[]::new), ctx);
  }

  /** {@code troupe start} options giving the head its node type's resources and labels. */
  static List<String> headArgs(NodeType t) {
    List<String> a = new ArrayList<>();
    Map<String, Double> custom = new TreeMap<>(t.resources().toMap());
    Double cpus = custom.remove(ResourceSet.CPU);
    a.addAll(List.of("--num-cpus", cpus == null ? "0" : Double.toString(cpus)));
    Double gpus = custom.remove(ResourceSet.GPU);
    a.addAll(List.of("--num-gpus", gpus == null ? "0" : Integer.toString((int) Math.round(gpus))));
    Double memory = custom.remove(ResourceSet.MEMORY);
    if (memory != null) {
      a.addAll(List.of("--memory", Long.toString(Math.round(memory))));
    }
    if (!custom.isEmpty()) {
      StringBuilder json = new StringBuilder("{");
      custom.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
          .append(v));
      a.addAll(List.of("--resources", json.append('}').toString()));
    }
    if (!t.labels().isEmpty()) {
      StringBuilder l = new StringBuilder();
      new TreeMap<>(t.labels()).forEach((k, v) -> l.append(l.length() > 0 ? "," : "").append(k).append('=')
          .append(v));
      a.addAll(List.of("--labels", l.toString()));
    }
    return a;
  }
}
