package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.api.NodeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code troupe demo}: the main job, for now a local cluster — a head and two workers, each its own
 * JVM, with declared (logical) resources: the workers offer 2 GPUs each even on a machine without
 * any, as Ray allows — then
 * its status. If a cluster started from this machine already runs it only shows its status. If a
 * node fails to start, the nodes the demo already started are stopped again.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local cluster (a head and two workers, separate processes) and show its status.")
public final class DemoCommand implements Callable<Integer> {
  static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(60);
  static final int NODES = 3;

  private final CliContext ctx;

  public DemoCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Optional<NodeRecord> running = ctx.session().liveHead();
    if (running.isPresent()) {
      ctx.out().println("A Troupe cluster started from this machine is already running (head "
          + running.get().nodeId() + ", pid " + running.get().pid() + "). Its status:");
      ctx.out().println();
      ctx.out().print(StatusView.render(client(running.get()).get(StatusCommand.PATH)));
      nextSteps();
      return 0;
    }
    List<NodeRecord> started = new ArrayList<>();
    try {
      NodeRecord head = startNode(List.of("--head", "--num-cpus", "2", "--memory", "2G", "--labels", "role=head"));
      started.add(head);
      for (String zone : List.of("a", "b")) {
        started.add(startNode(List.of("--address", head.address(), "--num-cpus", "2", "--num-gpus", "2",
            "--memory", "4G", "--labels", "role=worker,zone=" + zone)));
      }
      JsonNode status = awaitAlive(client(head));
      ctx.out().println();
      ctx.out().print(StatusView.render(status));
      nextSteps();
      return 0;
    } catch (RuntimeException e) {
      if (!started.isEmpty()) {
        Main.execute(new String[] {"stop"}, quiet());
        throw new CliException(Main.oneLine(e.getMessage()) + " (the demo's nodes were stopped again)");
      }
      throw e;
    }
  }

  /** Runs {@code troupe start ARGS} without {@code --block}: checks, spawns, waits for ready. */
  private NodeRecord startNode(List<String> args) {
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

  private JsonNode awaitAlive(RestClient client) {
    Instant deadline = Instant.now().plus(CLUSTER_TIMEOUT);
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
            + CLUSTER_TIMEOUT.toSeconds() + " s (" + last + "); logs are in " + ctx.session().logsDir());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted");
      }
    }
  }

  private RestClient client(NodeRecord head) {
    return new RestClient(head.dashboardUrl() != null ? head.dashboardUrl() : ApiOptions.DEFAULT_URL, head.dashboardToken());
  }

  private void nextSteps() {
    ctx.out().println();
    ctx.out().println("The cluster keeps running in the background. Next:");
    ctx.out().println("  ./troupe status          show it again");
    ctx.out().println("  ./troupe list actors     list actors");
    ctx.out().println("  ./troupe stop            stop it");
    ctx.out().flush();
  }

  private CliContext quiet() {
    java.io.PrintWriter sink = new java.io.PrintWriter(java.io.Writer.nullWriter());
    return new CliContext(sink, ctx.err(), ctx.env(), ctx.session(), ctx.nodeStarter(), ctx.readyTimeout());
  }
}
