package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.api.NodeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The local cluster of {@code troupe demo} and {@code troupe serve run}: a head and two workers,
 * each its own JVM started like {@code troupe start}, with logical resources (the workers declare 4
 * CPUs and 2 GPUs each, even on a machine without any; each serves its own {@code /metrics} on a free port). {@link #start} stops what it started if a node fails;
 * {@link #stop} stops exactly these nodes (workers first), not others of the session.
 */
final class DemoCluster {
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final int NODES = 3;

  private final CliContext ctx;
  private final List<NodeRecord> nodes;

  private DemoCluster(CliContext ctx, List<NodeRecord> nodes) {
    this.ctx = ctx;
    this.nodes = List.copyOf(nodes);
  }

  /** Starts the head and the workers and waits until all three are ALIVE; prints one line per node. */
  static DemoCluster start(CliContext ctx) {
    return start(ctx, List.of());
  }

  /** {@link #start(CliContext)} with extra {@code troupe start} flags for the head (ports). */
  static DemoCluster start(CliContext ctx, List<String> headArgs) {
    List<NodeRecord> started = new ArrayList<>();
    try {
      List<String> args = new ArrayList<>(List.of("--head", "--num-cpus", "2", "--memory", "2G", "--labels", "role=head"));
      args.addAll(headArgs);
      NodeRecord head = startNode(ctx, args);
      started.add(head);
      for (String zone : List.of("a", "b")) {
        // each worker serves its own /metrics on a free port (advertised in GET /api/cluster/status): the replicas
        // on it, e.g. the LLM's, record their metrics there
        started.add(startNode(ctx, List.of("--address", head.address(), "--num-cpus", "4", "--num-gpus", "2",
            "--memory", "4G", "--labels", "role=worker,zone=" + zone, "--metrics-port", "0")));
      }
      DemoCluster c = new DemoCluster(ctx, started);
      c.awaitAlive();
      return c;
    } catch (RuntimeException e) {
      if (!started.isEmpty()) {
        new DemoCluster(ctx, started).stop();
        throw new CliException(Main.oneLine(e.getMessage()) + " (the nodes started for it were stopped again)");
      }
      throw e;
    }
  }

  NodeRecord head() {
    return nodes.get(0);
  }

  RestClient client() {
    return client(head());
  }

  static RestClient client(NodeRecord head) {
    return new RestClient(head.dashboardUrl() != null ? head.dashboardUrl() : ApiOptions.DEFAULT_URL, head.dashboardToken());
  }

  /** The cluster status once all nodes are ALIVE. */
  JsonNode awaitAlive() {
    RestClient client = client();
    Instant deadline = Instant.now().plus(TIMEOUT);
    String last = "no answer yet";
    while (true) {
      try {
        JsonNode status = client.get(StatusCommand.PATH);
        long alive = StatusView.list(status.path("nodes")).stream()
            .filter(n -> "ALIVE".equals(n.path("state").asText())).count();
        if (alive >= NODES) {
          return status;
        }
        last = alive + " of " + NODES + " nodes alive";
      } catch (CliException e) {
        last = e.getMessage();
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException("the cluster did not reach " + NODES + " alive nodes within "
            + TIMEOUT.toSeconds() + " s (" + last + "); logs are in " + ctx.session().logsDir());
      }
      pause(Duration.ofMillis(250));
    }
  }

  /** Stops these nodes (workers first, SIGTERM, then SIGKILL after the grace period); quiet. */
  void stop() {
    for (boolean heads : new boolean[] {false, true}) {
      List<ProcessHandle> pending = new ArrayList<>();
      for (NodeRecord r : nodes) {
        if (r.head() == heads) {
          Optional<ProcessHandle> h = SessionDir.process(r);
          h.ifPresent(p -> {
            p.destroy();
            pending.add(p);
          });
        }
      }
      for (ProcessHandle p : pending) {
        try {
          p.onExit().get(StopCommand.GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
          p.destroyForcibly();
        }
      }
      nodes.stream().filter(r -> r.head() == heads).forEach(r -> ctx.session().remove(r.pid()));
    }
  }

  /** Runs {@code troupe start ARGS} without {@code --block}: checks, spawns, waits for ready. */
  private static NodeRecord startNode(CliContext ctx, List<String> args) {
    StartCommand start = new StartCommand(ctx);
    new CommandLine(start, new Main.Factory(ctx)).parseArgs(args.toArray(String[]::new));
    NodeConfig config = start.toConfig();
    Preflight.check(config);
    NodeRecord rec = start.launch(config);
    ctx.out().println("Started " + rec.role() + " node " + rec.nodeId() + " at " + rec.address()
        + " (pid " + rec.pid() + "): " + NodeSummary.resources(rec.resources()));
    ctx.out().flush();
    return rec;
  }

  static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }
}
