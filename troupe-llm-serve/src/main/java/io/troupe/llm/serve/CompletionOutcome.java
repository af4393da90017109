package io.troupe.llm.serve;

/** What {@link LlmServer#complete} answers: a result, or an error in OpenAI's shape (never an exception). */
public sealed interface CompletionOutcome permits CompletionResult, OpenAiError {}
