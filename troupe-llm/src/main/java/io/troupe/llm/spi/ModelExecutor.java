package io.troupe.llm.spi;

import io.troupe.llm.model.ModelConfig;

/**
 * Runs model steps for the engine: a single in-process rank or a tensor/pipeline-parallel group of
 * ranks. The engine's scheduler owns the KV block tables and sends them with each step; the executor
 * owns the KV memory, which has {@link #kvBlocks()} blocks of {@link #blockSize()} positions on every rank.
 *
 * <p>Threading: the engine calls {@link #execute} from its single step thread, one step at a time.
 */
public interface ModelExecutor extends AutoCloseable {
  ModelConfig config();

  int kvBlocks();

  int blockSize();

  /** Runs one step and returns the requested logits; throws {@link RankFailureException} when a rank fails. */
  StepOutput execute(StepBatch batch);

  /**
   * Whether a failed {@link #execute} may be followed by working steps on fresh KV memory, e.g. a rank group
   * that the runtime restarts at a new epoch. The engine then fails only the requests it had in flight,
   * forgets its prefix cache (the KV memory behind it is gone) and keeps admitting requests; otherwise the
   * first failure fails the engine for good. Default false.
   */
  default boolean recovers() {
    return false;
  }

  /** A one-line description for logs and benchmarks, e.g. "1 rank, vector(512-bit), 2 threads". */
  String describe();

  @Override
  void close();
}
