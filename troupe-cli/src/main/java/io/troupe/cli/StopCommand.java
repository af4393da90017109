package io.troupe.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code troupe stop}: stops every node recorded in the session directory that still runs — workers
 * first, then the head — with SIGTERM (the node leaves the cluster gracefully), and SIGKILL for one
 * that has not exited after the grace period (or at once with {@code --force}). Stale records are
 * removed. Exits 0 when nothing was running.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop the Troupe nodes started from this machine (workers first, then the head).")
public final class StopCommand implements Callable<Integer> {
  static final Duration GRACE = Duration.ofSeconds(15);

  private final CliContext ctx;

  @Option(names = "--force", description = "Kill the nodes at once (SIGKILL) instead of letting them leave the cluster.")
  boolean force;

  public StopCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    List<NodeRecord> live = ctx.session().liveNodes();
    if (live.isEmpty()) {
      ctx.out().println("no Troupe nodes running from this machine");
      return 0;
    }
    List<NodeRecord> workers = live.stream().filter(r -> !r.head()).toList();
    List<NodeRecord> heads = live.stream().filter(NodeRecord::head).toList();
    int failed = stopAll(workers) + stopAll(heads);
    return failed == 0 ? 0 : Main.EXIT_FAILURE;
  }

  /** Signals all at once, then waits for each; returns how many would not stop. */
  private int stopAll(List<NodeRecord> nodes) {
    record Pending(NodeRecord node, CompletableFuture<ProcessHandle> exit) {}
    List<Pending> pending = new ArrayList<>();
    for (NodeRecord r : nodes) {
      Optional<ProcessHandle> h = SessionDir.process(r);
      if (h.isEmpty()) {
        ctx.session().remove(r.pid());
        continue;
      }
      if (force) {
        h.get().destroyForcibly();
      } else {
        h.get().destroy();
      }
      pending.add(new Pending(r, h.get().onExit()));
    }
    int failed = 0;
    for (Pending p : pending) {
      NodeRecord r = p.node();
      String how = await(r, p.exit());
      if (how == null) {
        failed++;
        ctx.err().println("troupe: " + r.role() + " node " + r.nodeId() + " (pid " + r.pid() + ") would not stop");
      } else {
        ctx.session().remove(r.pid());
        ctx.out().println(how + " " + r.role() + " node " + r.nodeId() + " (pid " + r.pid() + ", " + r.address() + ")");
      }
    }
    return failed;
  }

  private String await(NodeRecord r, CompletableFuture<ProcessHandle> exit) {
    try {
      exit.get(force ? 5 : GRACE.toSeconds(), TimeUnit.SECONDS);
      return force ? "killed" : "stopped";
    } catch (TimeoutException e) {
      Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
      h.ifPresent(ProcessHandle::destroyForcibly);
      try {
        exit.get(5, TimeUnit.SECONDS);
        return "killed (did not stop within " + GRACE.toSeconds() + " s)";
      } catch (InterruptedException | ExecutionException | TimeoutException e2) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      return null;
    }
  }
}
