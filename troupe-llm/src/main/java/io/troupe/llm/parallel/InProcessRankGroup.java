package io.troupe.llm.parallel;

import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.RankTransport;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Transports for a {@code tp x pp} group of ranks in one JVM (threads, no serialization): all-reduce over
 * shared arrays with barriers, activations handed over by reference through queues. Every wait has the
 * group's deadline; {@link #fail} breaks all waits at once so a dead rank fails its peers quickly.
 *
 * <p>Thread-safe: each rank uses its own transport from its own thread.
 */
public final class InProcessRankGroup {
  private record Activation(long epoch, long stepId, int microBatch, float[] hidden) {}

  private final int tp;
  private final int pp;
  private final long epoch;
  private final long timeoutNanos;
  private final CyclicBarrier[] barriers;     // per stage
  private final float[][][] deposits;        // [stage][tpRank] -> buffer
  private final int[][] offsets;
  private final BlockingQueue<Activation>[][] links; // [boundary between stage s and s+1][tpRank]
  private volatile String failure;

  @SuppressWarnings("unchecked")
  public InProcessRankGroup(int tp, int pp, long epoch, Duration timeout) {
    this.tp = tp;
    this.pp = pp;
    this.epoch = epoch;
    this.timeoutNanos = timeout.toNanos();
    this.barriers = new CyclicBarrier[pp];
    this.deposits = new float[pp][tp][];
    this.offsets = new int[pp][tp];
    this.links = new BlockingQueue[Math.max(0, pp - 1)][tp];
    for (int s = 0; s < pp; s++) {
      barriers[s] = new CyclicBarrier(tp);
    }
    for (int s = 0; s + 1 < pp; s++) {
      for (int r = 0; r < tp; r++) {
        links[s][r] = new LinkedBlockingQueue<>();
      }
    }
  }

  public RankSpec spec(int tpRank, int ppRank) {
    return new RankSpec(tpRank, tp, ppRank, pp, epoch);
  }

  /** The transport of rank {@code (tpRank, ppRank)}. */
  public RankTransport transport(int tpRank, int ppRank) {
    RankSpec self = spec(tpRank, ppRank);
    return new RankTransport() {
      @Override
      public RankSpec self() {
        return self;
      }

      @Override
      public void allReduceSum(float[] buf, int off, int len) {
        if (tp == 1) {
          return;
        }
        int s = self.ppRank();
        deposits[s][self.tpRank()] = buf;
        offsets[s][self.tpRank()] = off;
        await(s, "all-reduce");
        float[] sum = new float[len];
        for (int r = 0; r < tp; r++) { // same order on every rank: identical results
          float[] d = deposits[s][r];
          int o = offsets[s][r];
          for (int i = 0; i < len; i++) {
            sum[i] += d[o + i];
          }
        }
        await(s, "all-reduce");
        System.arraycopy(sum, 0, buf, off, len);
      }

      @Override
      public void sendActivations(long stepId, int microBatch, float[] hidden) {
        check();
        links[self.ppRank()][self.tpRank()].add(new Activation(epoch, stepId, microBatch, hidden));
      }

      @Override
      public float[] recvActivations(long stepId, int microBatch) {
        BlockingQueue<Activation> q = links[self.ppRank() - 1][self.tpRank()];
        long deadline = System.nanoTime() + timeoutNanos;
        try {
          while (true) {
            check();
            Activation a = q.poll(20, TimeUnit.MILLISECONDS);
            if (a != null) {
              if (a.epoch() != epoch || a.stepId() != stepId || a.microBatch() != microBatch) {
                throw fail(self + " got activations of epoch " + a.epoch() + " step " + a.stepId() + " micro-batch "
                    + a.microBatch() + ", expected step " + stepId + " micro-batch " + microBatch);
              }
              return a.hidden();
            }
            if (System.nanoTime() > deadline) {
              throw fail(self + " timed out waiting for activations of step " + stepId + " from stage "
                  + (self.ppRank() - 1));
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw fail(self + " interrupted");
        }
      }

      private void await(int stage, String what) {
        check();
        try {
          barriers[stage].await(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          throw fail(self + " timed out in " + what + " (a peer of stage " + stage + " is stuck or dead)");
        } catch (BrokenBarrierException e) {
          check();
          throw fail(self + ": " + what + " broken (a peer failed)");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw fail(self + " interrupted in " + what);
        }
      }

      private void check() {
        String f = failure;
        if (f != null) {
          throw new RankFailureException(self + " stops: group epoch " + epoch + " failed: " + f);
        }
      }
    };
  }

  /** Marks the group failed and wakes every waiting rank. Returns an exception to throw. */
  public RankFailureException fail(String reason) {
    synchronized (this) {
      if (failure == null) {
        failure = reason;
      }
    }
    for (CyclicBarrier b : barriers) {
      b.reset();
    }
    return new RankFailureException(reason);
  }

  /** The first failure, or null. */
  public String failure() {
    return failure;
  }
}
