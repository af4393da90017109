package io.troupe.llm.api;

/**
 * Receives a request's events. Called on the engine's step thread: return quickly and never block
 * (hand work to another thread when needed).
 */
@FunctionalInterface
public interface GenerationListener {
  void onEvent(GenerationEvent event);
}
