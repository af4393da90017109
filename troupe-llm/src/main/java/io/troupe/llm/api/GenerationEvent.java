package io.troupe.llm.api;

/** What a request's listener receives: tokens as they are produced, then exactly one {@link Finished}. */
public sealed interface GenerationEvent {
  String requestId();

  /** The {@code index}-th output token. */
  record Token(String requestId, int tokenId, int index) implements GenerationEvent {}

  /**
   * The end of a request.
   *
   * @param outputTokens every output token, in order
   * @param detail       the matched stop string for STOP by string, the error for ERROR, else null
   */
  record Finished(String requestId, FinishReason reason, int[] outputTokens, String detail)
      implements GenerationEvent {}
}
