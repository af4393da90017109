package io.troupe.llm.parallel;

import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.RankHandle;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Drives a tensor/pipeline-parallel group: broadcasts each step to every rank, waits for all of them (with a
 * deadline) and returns the logits of the last stage's tp rank 0. When any rank fails or misses the deadline
 * the step throws {@link RankFailureException} naming the rank, and the group stays down: every later
 * step fails at once until the runtime builds a new group (new epoch).
 *
 * <p>Threading: one {@link #execute} at a time (the engine's step thread).
 */
public final class RankGroupExecutor implements ModelExecutor {
  private static final int MAX_OTHERS = 3;
  private final ModelConfig config;
  private final int kvBlocks;
  private final int blockSize;
  private final List<RankHandle> ranks;
  private final long epoch;
  private final Duration stepTimeout;
  private final String description;
  private volatile String down;

  public RankGroupExecutor(ModelConfig config, int kvBlocks, int blockSize, List<RankHandle> ranks,
                           Duration stepTimeout, String description) {
    if (ranks.isEmpty()) {
      throw new IllegalArgumentException("no ranks");
    }
    this.config = config;
    this.kvBlocks = kvBlocks;
    this.blockSize = blockSize;
    this.ranks = List.copyOf(ranks);
    this.epoch = ranks.get(0).spec().epoch();
    this.stepTimeout = stepTimeout;
    this.description = description;
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public int kvBlocks() {
    return kvBlocks;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public StepOutput execute(StepBatch batch) {
    if (down != null) {
      throw new RankFailureException("rank group of epoch " + epoch + " is down: " + down);
    }
    StepBatch b = new StepBatch(batch.stepId(), epoch, batch.chunks(), batch.microBatches());
    List<CompletableFuture<StepOutput>> futures = new ArrayList<>(ranks.size());
    for (RankHandle r : ranks) {
      futures.add(r.step(b));
    }
    long deadline = System.nanoTime() + stepTimeout.toNanos();
    StepOutput result = null;
    RankFailureException first = null;
    List<RankFailureException> all = new ArrayList<>();
    for (int i = 0; i < ranks.size(); i++) {
      try {
        StepOutput o = futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (o != null) {
          result = o;
        }
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        RankFailureException f = new RankFailureException(ranks.get(i).spec() + " failed in step " + b.stepId()
            + ": " + c.getMessage(), c);
        all.add(f);
        first = pick(first, f, c);
      } catch (TimeoutException e) {
        RankFailureException f = new RankFailureException(ranks.get(i).spec() + " missed the step deadline of "
            + stepTimeout);
        all.add(f);
        first = pick(first, f, null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        first = pick(first, new RankFailureException("interrupted waiting for " + ranks.get(i).spec()), null);
      }
    }
    if (first != null) {
      RankFailureException e = withOthers(first, all);
      down = e.getMessage();
      throw e;
    }
    if (result == null) {
      throw new RankFailureException("no rank returned logits for step " + b.stepId());
    }
    return result;
  }

  /**
   * The chosen failure, naming the other failed ranks too (up to {@value #MAX_OTHERS}): when a node dies and the
   * runtime stops the whole gang, every rank's call fails and the one listed first need not be the lost one.
   */
  private static RankFailureException withOthers(RankFailureException first, List<RankFailureException> all) {
    List<String> others = new ArrayList<>();
    for (RankFailureException f : all) {
      if (f != first && others.size() < MAX_OTHERS) {
        String m = f.getMessage();
        others.add(m.length() > 400 ? m.substring(0, 400) + "…" : m);
      }
    }
    if (others.isEmpty()) {
      return first;
    }
    return new RankFailureException(first.getMessage() + " [also failed: " + String.join("; ", others) + "]",
        first.getCause());
  }

  /** Prefers the root cause over the peers that merely saw a broken all-reduce. */
  private static RankFailureException pick(RankFailureException current, RankFailureException next, Throwable cause) {
    if (current == null) {
      return next;
    }
    boolean currentIsSecondary = current.getCause() instanceof RankFailureException;
    boolean nextIsPrimary = cause != null && !(cause instanceof RankFailureException);
    return currentIsSecondary && nextIsPrimary ? next : current;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    ranks.forEach(RankHandle::close);
  }
}
