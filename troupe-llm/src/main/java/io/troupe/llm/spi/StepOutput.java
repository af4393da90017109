package io.troupe.llm.spi;

import java.util.Map;

/** Logits of a step, for each chunk that asked for them, by sequence id ({@code vocabSize} floats each). */
public record StepOutput(long stepId, Map<Long, float[]> logits) implements java.io.Serializable {
  public StepOutput {
    logits = Map.copyOf(logits);
  }
}
