package io.troupe.llm.cluster;

import io.troupe.llm.parallel.RankWorker;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.Troupe;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One rank of a model-parallel group as a Troupe actor, normally one per placement-group bundle (started by
 * {@link ClusterRanks}). Loads only its shard with {@link RankWorker#load}; the driver calls {@link #step};
 * peers call {@link #contribute} (all-reduce parts) and {@link #activations} (pipeline sends), and the
 * driver calls {@link #abort} when another rank failed, so waits end at once instead of at the deadline.
 *
 * <p>The epoch is the group epoch from {@link ActorContext#epoch()}: after a gang restart the recreated actor
 * (same constructor arguments) joins the new epoch, and the runtime refuses calls between members of
 * different epochs. Peers are found by actor name ({@code <tag>/rank-<index>}), which survives restarts.
 *
 * <p>Threading: must run with {@code maxConcurrency >} 1 ({@link #MAX_CONCURRENCY}) so peer calls are served
 * while a step runs; steps themselves run one at a time under a lock; the mailbox is thread-safe.
 */
public final class RankActor implements AutoCloseable {
  /** Call slots: one step, plus peer sends and aborts arriving meanwhile. */
  public static final int MAX_CONCURRENCY = 32;

  private final RankIdentity identity;
  private final RankMailbox mailbox = new RankMailbox();
  private final ClusterRankTransport transport;
  private final RankWorker worker;
  private final ReentrantLock stepLock = new ReentrantLock();

  public RankActor(String modelDir, int tpRank, int tpSize, int ppRank, int ppSize, String groupTag,
                   RankActorOptions options) {
    ActorContext ctx = ActorContext.current()
        .orElseThrow(() -> new IllegalStateException("RankActor runs only as a Troupe actor"));
    RankSpec spec = new RankSpec(tpRank, tpSize, ppRank, ppSize, ctx.epoch());
    int world = tpSize * ppSize;
    this.transport = new ClusterRankTransport(spec, new ActorPeers(ctx.troupe(), groupTag, world), mailbox,
        options.peerTimeout());
    this.worker = RankWorker.load(Path.of(modelDir), spec, options.rankOptions(), transport);
    this.identity = new RankIdentity(spec, spec.index(), world, ClusterRanks.rankName(groupTag, spec.index()),
        ClusterRanks.rankName(groupTag, 0), ctx.actorId().value(), ctx.nodeId().value(),
        ctx.placementGroup().map(Object::toString).orElse(""), ctx.bundleIndex(), ctx.gpuIds(), worker.kvBlocks(),
        worker.kernelName());
  }

  public RankIdentity identity() {
    return identity;
  }

  /** Runs one step (see {@link RankWorker#runStep}); null except on the last stage's tp rank 0. */
  public StepOutput step(StepBatch batch) {
    if (batch.epoch() != identity.spec().epoch()) {
      // A step of an older generation, queued by the runtime while this rank was being recreated:
      // refuse it without failing this (new) generation.
      throw new RankFailureException(identity.spec() + " refuses step " + batch.stepId() + " of epoch "
          + batch.epoch() + " (stale: sent before the gang restart)");
    }
    stepLock.lock();
    try {
      transport.beginStep(batch.stepId());
      return worker.runStep(batch);
    } catch (RuntimeException e) {
      transport.fail(identity.spec() + " failed step " + batch.stepId() + ": " + e.getMessage());
      throw e;
    } finally {
      stepLock.unlock();
    }
  }

  /** A peer's all-reduce part for collective {@code seq} of step {@code stepId}. */
  public void contribute(long epoch, long stepId, int seq, int fromTpRank, float[] part) {
    checkEpoch(epoch, "all-reduce part");
    mailbox.putPart(stepId, seq, fromTpRank, part);
  }

  /** The previous stage's hidden states for a micro-batch. */
  public void activations(long epoch, long stepId, int microBatch, float[] hidden) {
    checkEpoch(epoch, "activations");
    mailbox.putActivations(stepId, microBatch, hidden);
  }

  /** Another rank failed: stop waiting for peers. The rank stays down (the group needs a new epoch). */
  public void abort(long epoch, long stepId, String reason) {
    if (epoch == identity.spec().epoch()) {
      mailbox.fail("step " + stepId + " aborted: " + reason);
    }
  }

  private void checkEpoch(long epoch, String what) {
    if (epoch != identity.spec().epoch()) {
      throw new RankFailureException(identity.spec() + " refuses " + what + " of epoch " + epoch);
    }
  }

  @Override
  public void close() {
    mailbox.fail("rank actor stopped");
    worker.close();
  }

  /** Peers as named actors, resolved on first use and cached (actor ids are stable across restarts). */
  private static final class ActorPeers implements RankPeers {
    private final Troupe troupe;
    private final String tag;
    private final AtomicReferenceArray<ActorHandle<RankActor>> handles;

    ActorPeers(Troupe troupe, String tag, int world) {
      this.troupe = troupe;
      this.tag = tag;
      this.handles = new AtomicReferenceArray<>(world);
    }

    private ActorHandle<RankActor> peer(int i) {
      ActorHandle<RankActor> h = handles.get(i);
      if (h == null) {
        h = troupe.getActor(ClusterRanks.rankName(tag, i), RankActor.class)
            .orElseThrow(() -> new RankFailureException("peer " + describe(i) + " not found (dead or never started)"));
        handles.set(i, h);
      }
      return h;
    }

    @Override
    public CompletableFuture<?> contribute(int p, long epoch, long stepId, int seq, int fromTpRank, float[] part) {
      return peer(p).call("contribute", epoch, stepId, seq, fromTpRank, part);
    }

    @Override
    public CompletableFuture<?> activations(int p, long epoch, long stepId, int microBatch, float[] hidden) {
      return peer(p).call("activations", epoch, stepId, microBatch, hidden);
    }

    @Override
    public String describe(int p) {
      return ClusterRanks.rankName(tag, p);
    }
  }
}
