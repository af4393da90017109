package io.troupe.llm.spi;

import java.util.List;

/**
 * One iteration of the model over a batch of sequence chunks, sent to every rank.
 *
 * @param stepId       increasing step number (messages of other steps are rejected)
 * @param epoch        the group epoch the scheduler believes in; ranks of another epoch refuse the step
 * @param microBatches how many consecutive groups of chunks to pipeline through the stages (1 without PP)
 */
public record StepBatch(long stepId, long epoch, List<SequenceChunk> chunks, int microBatches)
    implements java.io.Serializable {
  public StepBatch {
    chunks = List.copyOf(chunks);
    microBatches = Math.max(1, Math.min(microBatches, chunks.size()));
  }

  /** The chunks of micro-batch {@code m}: contiguous, near-equal slices of {@link #chunks()}. */
  public List<SequenceChunk> microBatch(int m) {
    int n = chunks.size();
    return chunks.subList(n * m / microBatches, n * (m + 1) / microBatches);
  }

  public int tokenCount() {
    return chunks.stream().mapToInt(SequenceChunk::length).sum();
  }
}
