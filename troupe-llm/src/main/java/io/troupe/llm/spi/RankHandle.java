package io.troupe.llm.spi;

import java.util.concurrent.CompletableFuture;

/**
 * The driver's handle on one rank. The cluster runtime implements it as a call to the rank's actor (which
 * hosts a {@code io.troupe.llm.parallel.RankWorker}); in-process groups run the worker on a thread.
 * A failed future means the rank failed for this step.
 */
public interface RankHandle extends AutoCloseable {
  RankSpec spec();

  /** Runs the step on the rank; completes with its output (non-null only on the last stage's tp rank 0). */
  CompletableFuture<StepOutput> step(StepBatch batch);

  @Override
  void close();
}
