package io.troupe.llm.cluster;

import io.troupe.llm.spi.RankFailureException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a rank has received from its peers and not yet consumed: all-reduce parts by (step, collective
 * number, sender) and pipeline activations by (step, micro-batch). The rank's step thread waits here with a
 * deadline; peer calls and failure reports (a peer unreachable, the driver aborting the step) wake it.
 * A failure is sticky: the rank group is down until a new epoch replaces it.
 *
 * <p>Thread-safe: one lock guards everything; producers are peer calls on the actor's other call slots.
 */
final class RankMailbox {
  private record PartKey(long stepId, int seq, int from) {}

  private record ActKey(long stepId, int microBatch) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<PartKey, float[]> parts = new HashMap<>();
  private final Map<ActKey, float[]> activations = new HashMap<>();
  private long currentStep = -1;
  private String failure;

  /** Starts a step: drops leftovers of earlier steps (there are none unless a step failed). */
  void beginStep(long stepId) {
    lock.lock();
    try {
      currentStep = stepId;
      parts.keySet().removeIf(k -> k.stepId() < stepId);
      activations.keySet().removeIf(k -> k.stepId() < stepId);
    } finally {
      lock.unlock();
    }
  }

  void putPart(long stepId, int seq, int from, float[] part) {
    lock.lock();
    try {
      if (stepId >= currentStep) { // parts of finished steps are late duplicates: drop
        parts.put(new PartKey(stepId, seq, from), part);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  void putActivations(long stepId, int microBatch, float[] hidden) {
    lock.lock();
    try {
      if (stepId >= currentStep) {
        activations.put(new ActKey(stepId, microBatch), hidden);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Marks this rank's group failed and wakes the waiting step thread. The first reason wins. */
  void fail(String reason) {
    lock.lock();
    try {
      if (failure == null) {
        failure = reason;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  String failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /** Throws if the group failed. */
  void check(String self) {
    String f = failure();
    if (f != null) {
      throw new RankFailureException(self + " stops: " + f);
    }
  }

  /**
   * Waits for the part of collective {@code seq} of {@code stepId} from tp rank {@code from}, and removes it.
   *
   * @param what describes the wait for the timeout message, e.g. "all-reduce #3 of step 5 from tp rank 1"
   */
  float[] takePart(long stepId, int seq, int from, long deadlineNanos, String self, String what) {
    return take(() -> parts.remove(new PartKey(stepId, seq, from)), deadlineNanos, self, what);
  }

  float[] takeActivations(long stepId, int microBatch, long deadlineNanos, String self, String what) {
    return take(() -> activations.remove(new ActKey(stepId, microBatch)), deadlineNanos, self, what);
  }

  private float[] take(java.util.function.Supplier<float[]> poll, long deadlineNanos, String self, String what) {
    lock.lock();
    try {
      while (true) {
        if (failure != null) {
          throw new RankFailureException(self + " stops waiting for " + what + ": " + failure);
        }
        float[] v = poll.get();
        if (v != null) {
          return v;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          String reason = self + " timed out waiting for " + what + " (the peer is stuck or dead)";
          failure = reason;
          throw new RankFailureException(reason);
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RankFailureException(self + " interrupted waiting for " + what);
    } finally {
      lock.unlock();
    }
  }
}
