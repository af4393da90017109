package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Fake node agents over real {@link NodeBundleTable}s, scripted to refuse prepare or commit on some
 * nodes or to hold their answers (a slow node) until released; plus the owner executor whose queued
 * replies the test runs with {@link #drain()}.
 */
final class ScriptedAgents extends InMemoryBundleAgents implements Executor {
  final Set<NodeId> failPrepare = new HashSet<>();
  final Set<NodeId> failCommit = new HashSet<>();
  final Set<NodeId> slow = new HashSet<>();
  private final Queue<Runnable> held = new ArrayDeque<>();
  private final Queue<Runnable> inbox = new ArrayDeque<>();
  int prepares;
  int cancels;

  @Override
  public CompletionStage<BundleReply> prepare(NodeId node, BundleReservation r) {
    prepares++;
    if (failPrepare.contains(node)) {
      return CompletableFuture.completedFuture(new BundleReply.Rejected("scripted prepare failure on " + node));
    }
    return maybeSlow(node, () -> super.prepare(node, r));
  }

  @Override
  public CompletionStage<BundleReply> commit(NodeId node, BundleReservation r) {
    if (failCommit.contains(node)) {
      return CompletableFuture.failedFuture(new IllegalStateException("scripted commit failure on " + node));
    }
    return maybeSlow(node, () -> super.commit(node, r));
  }

  @Override
  public CompletionStage<BundleReply> cancel(NodeId node, BundleReservation r) {
    cancels++;
    return super.cancel(node, r);
  }

  private CompletionStage<BundleReply> maybeSlow(NodeId node, java.util.function.Supplier<CompletionStage<BundleReply>> op) {
    if (!slow.contains(node)) {
      return op.get();
    }
    CompletableFuture<BundleReply> f = new CompletableFuture<>();
    held.add(() -> op.get().whenComplete((v, e) -> {
      if (e != null) {
        f.completeExceptionally(e);
      } else {
        f.complete(v);
      }
    }));
    return f;
  }

  /** Lets the slow nodes' held operations happen now. */
  void releaseSlow() {
    while (!held.isEmpty()) {
      held.poll().run();
    }
  }

  @Override
  public void execute(Runnable command) {
    inbox.add(command);
  }

  /** Runs queued replies (and the replies they cause) on the test thread, as the owner would. */
  void drain() {
    while (!inbox.isEmpty()) {
      inbox.poll().run();
    }
  }
}
