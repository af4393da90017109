package io.troupe.llm.cluster;

import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.RankTransport;
import io.troupe.runtime.api.StaleEpochException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link RankTransport} over peer calls. All-reduce: every tp rank of the stage sends its slice to the
 * others and sums the parts of ranks {@code 0..tp-1} in that order, so all members hold identical sums
 * (the order {@code io.troupe.llm.parallel.InProcessRankGroup} uses). Activations go to the same tp rank of
 * the next stage and wait in its {@link RankMailbox}. Every wait has the peer deadline; a peer that refuses
 * (stale epoch), dies or does not answer in time fails the rank with {@link RankFailureException}.
 *
 * <p>Copies: one slice copy per all-reduce (the caller reuses its buffer before peers have read it);
 * activations are passed by reference. Whether bytes are copied further is the runtime's business:
 * calls between actors on one node hand over the argument objects themselves, calls across nodes serialize.
 *
 * <p>Threading: the step methods are called by the rank's step thread only; {@link #fail} from any thread.
 */
final class ClusterRankTransport implements RankTransport {
  private final RankSpec self;
  private final RankPeers peers;
  private final RankMailbox mailbox;
  private final Duration timeout;
  private final String label;
  private long stepId = -1;
  private int seq;

  ClusterRankTransport(RankSpec self, RankPeers peers, RankMailbox mailbox, Duration timeout) {
    this.self = self;
    this.peers = peers;
    this.mailbox = mailbox;
    this.timeout = timeout;
    this.label = self.toString();
  }

  /** Called by the rank before each step: collectives are numbered from 0 within a step. */
  void beginStep(long id) {
    mailbox.check(label);
    stepId = id;
    seq = 0;
    mailbox.beginStep(id);
  }

  void fail(String reason) {
    mailbox.fail(reason);
  }

  @Override
  public RankSpec self() {
    return self;
  }

  @Override
  public void allReduceSum(float[] buf, int off, int len) {
    int tp = self.tpSize();
    if (tp == 1) {
      return;
    }
    mailbox.check(label);
    int n = seq++;
    float[] mine = Arrays.copyOfRange(buf, off, off + len);
    for (int r = 0; r < tp; r++) {
      if (r != self.tpRank()) {
        watch(peers.contribute(index(r, self.ppRank()), self.epoch(), stepId, n, self.tpRank(), mine),
            index(r, self.ppRank()), "all-reduce part");
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    float[] sum = new float[len];
    for (int r = 0; r < tp; r++) {
      float[] d = r == self.tpRank() ? mine : mailbox.takePart(stepId, n, r, deadline, label,
          "all-reduce #" + n + " of step " + stepId + " from " + peers.describe(index(r, self.ppRank())));
      if (d.length != len) {
        throw new RankFailureException(label + " got an all-reduce part of " + d.length + " floats, expected " + len);
      }
      for (int i = 0; i < len; i++) {
        sum[i] += d[i];
      }
    }
    System.arraycopy(sum, 0, buf, off, len);
  }

  @Override
  public void sendActivations(long step, int microBatch, float[] hidden) {
    mailbox.check(label);
    int next = index(self.tpRank(), self.ppRank() + 1);
    watch(peers.activations(next, self.epoch(), step, microBatch, hidden), next, "activations");
  }

  @Override
  public float[] recvActivations(long step, int microBatch) {
    int prev = index(self.tpRank(), self.ppRank() - 1);
    return mailbox.takeActivations(step, microBatch, System.nanoTime() + timeout.toNanos(), label,
        "activations of step " + step + " micro-batch " + microBatch + " from " + peers.describe(prev));
  }

  private int index(int tpRank, int ppRank) {
    return ppRank * self.tpSize() + tpRank;
  }

  /** A send that fails or is not acknowledged within the deadline fails this rank's current wait. */
  private void watch(CompletableFuture<?> send, int peer, String what) {
    send.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, err) -> {
      if (err != null) {
        mailbox.fail(label + " could not deliver " + what + " to " + peers.describe(peer) + ": " + explain(err));
      }
    });
  }

  static String explain(Throwable err) {
    Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (c instanceof StaleEpochException) {
      return "stale epoch (" + c.getMessage() + ")";
    }
    if (c instanceof TimeoutException) {
      return "no answer in time";
    }
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}
