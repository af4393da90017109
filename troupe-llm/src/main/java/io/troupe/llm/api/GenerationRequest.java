package io.troupe.llm.api;

/** A prompt as token ids and how to continue it. {@code requestId} must be unique among live requests. */
public record GenerationRequest(String requestId, int[] promptTokens, SamplingParams params) {
  public GenerationRequest {
    if (promptTokens.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    promptTokens = promptTokens.clone();
  }

  @Override
  public int[] promptTokens() {
    return promptTokens.clone();
  }
}
