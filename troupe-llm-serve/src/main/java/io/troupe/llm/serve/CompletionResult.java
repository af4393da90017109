package io.troupe.llm.serve;

import java.io.Serializable;

/**
 * A finished non-streaming completion.
 *
 * @param id               {@code cmpl-...} (also the engine's request id)
 * @param created          Unix seconds
 * @param model            the model id
 * @param text             the generated text (special tokens skipped)
 * @param finishReason     {@code stop} or {@code length}
 * @param promptTokens     tokens in the (templated) prompt
 * @param completionTokens tokens generated
 */
public record CompletionResult(String id, long created, String model, String text, String finishReason,
    int promptTokens, int completionTokens) implements CompletionOutcome, Serializable {}
