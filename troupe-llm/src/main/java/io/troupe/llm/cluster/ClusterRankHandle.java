package io.troupe.llm.cluster;

import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.RankHandle;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import io.troupe.runtime.api.ActorCallException;
import io.troupe.runtime.api.ActorHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * The driver's handle on a {@link RankActor}: a step is a call to the actor. Errors are translated so that
 * {@code RankGroupExecutor} names the root cause: a rank that merely saw a peer fail reports a
 * {@link RankFailureException}; a rank whose actor died, was lost or threw something else reports an
 * {@link IllegalStateException} naming the actor and its node. Every failure is passed to
 * {@code onFailure(stepId, error)} so the launcher can abort the other ranks' waits at once.
 *
 * <p>Thread-safe.
 */
final class ClusterRankHandle implements RankHandle {
  private final ActorHandle<RankActor> actor;
  private final RankIdentity identity;
  private final BiConsumer<Long, RuntimeException> onFailure;

  ClusterRankHandle(ActorHandle<RankActor> actor, RankIdentity identity, BiConsumer<Long, RuntimeException> onFailure) {
    this.actor = actor;
    this.identity = identity;
    this.onFailure = onFailure;
  }

  ActorHandle<RankActor> actor() {
    return actor;
  }

  RankIdentity identity() {
    return identity;
  }

  @Override
  public RankSpec spec() {
    return identity.spec();
  }

  @Override
  public CompletableFuture<StepOutput> step(StepBatch batch) {
    CompletableFuture<StepOutput> out = new CompletableFuture<>();
    actor.call(RankActor::step, batch).whenComplete((v, err) -> {
      if (err == null) {
        out.complete(v);
        return;
      }
      RuntimeException e = translate(err);
      onFailure.accept(batch.stepId(), e);
      out.completeExceptionally(e);
    });
    return out;
  }

  private RuntimeException translate(Throwable err) {
    Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    String where = "rank actor " + identity.actorName() + " (" + identity.actorId() + " on node " + identity.nodeId() + ")";
    if (c instanceof ActorCallException ace && RankFailureException.class.getName().equals(ace.remoteClass())) {
      String m = ace.getMessage();
      String prefix = RankFailureException.class.getName() + ": ";
      return new RankFailureException(m.startsWith(prefix) ? m.substring(prefix.length()) : m, c);
    }
    if (c instanceof RankFailureException rf) {
      return rf; // thrown by the actor on this node and passed through unchanged
    }
    return new IllegalStateException(where + " is gone or broken: " + c.getClass().getSimpleName() + ": "
        + c.getMessage(), c);
  }

  /** Does not stop the actor: {@link ClusterRanks#close()} owns the ranks' lifecycle. */
  @Override
  public void close() {}
}
