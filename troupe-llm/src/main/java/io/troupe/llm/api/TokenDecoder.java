package io.troupe.llm.api;

/** Turns output token ids into text, for stop strings. Supplied by the tokenizer layer; must be thread-safe. */
@FunctionalInterface
public interface TokenDecoder {
  String decode(int[] tokens);
}
