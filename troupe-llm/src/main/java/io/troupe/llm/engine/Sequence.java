package io.troupe.llm.engine;

import io.troupe.llm.api.GenerationListener;
import io.troupe.llm.api.GenerationRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A request's mutable state inside the engine: its tokens (prompt then output), how many have KV in the
 * cache, its block table and the chain hashes of its committed blocks. Owned by the engine's step thread.
 */
final class Sequence {
  final long id;
  final GenerationRequest request;
  final GenerationListener listener;
  final RandomGenerator rng;
  final long arrivalNanos;
  final int promptLength;
  int[] tokens;
  int length;
  int computed;
  final List<Integer> blocks = new ArrayList<>();
  final List<Long> blockHashes = new ArrayList<>();
  long firstTokenNanos = -1;
  long lastTokenNanos = -1;

  Sequence(long id, GenerationRequest request, GenerationListener listener, RandomGenerator rng, long arrivalNanos) {
    this.id = id;
    this.request = request;
    this.listener = listener;
    this.rng = rng;
    this.arrivalNanos = arrivalNanos;
    this.tokens = request.promptTokens();
    this.promptLength = tokens.length;
    this.length = tokens.length;
  }

  void append(int token) {
    if (length == tokens.length) {
      tokens = Arrays.copyOf(tokens, Math.max(8, tokens.length * 2));
    }
    tokens[length++] = token;
  }

  int outputCount() {
    return length - promptLength;
  }

  int[] output() {
    return Arrays.copyOfRange(tokens, promptLength, length);
  }

  int[] blockTable() {
    return blocks.stream().mapToInt(Integer::intValue).toArray();
  }

  String requestId() {
    return request.requestId();
  }
}
