package io.troupe.llm.api;

/** Why a request ended. */
public enum FinishReason {
  /** A stop token id, an EOS id or a stop string was produced. */
  STOP,
  /** max_tokens reached, or the sequence no longer fits the model's context or the KV cache. */
  LENGTH,
  /** The caller aborted; its KV blocks were freed at once. */
  ABORT,
  /** The engine could not continue (e.g. a rank failed); the event's detail says why. */
  ERROR
}
