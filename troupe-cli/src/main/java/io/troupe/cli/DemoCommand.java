package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.concurrent.Callable;
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
    DemoCluster cluster = DemoCluster.start(ctx);
    JsonNode status = cluster.awaitAlive();
    ctx.out().println();
    ctx.out().print(StatusView.render(status));
    nextSteps();
    return 0;
  }

  private RestClient client(NodeRecord head) {
    return DemoCluster.client(head);
  }

  private void nextSteps() {
    ctx.out().println();
    ctx.out().println("The cluster keeps running in the background. Next:");
    ctx.out().println("  ./troupe status          show it again");
    ctx.out().println("  ./troupe list actors     list actors");
    ctx.out().println("  ./troupe stop            stop it");
    ctx.out().flush();
  }
}
