package io.troupe.serve.spi;

/**
 * A policy's answer: the replica count to drive toward (the controller clamps it to
 * {@code [min_replicas, max_replicas]}), and its state for next time. Immutable.
 */
public record AutoscalingDecision(int targetReplicas, AutoscalingState state) {
  public AutoscalingDecision {
    state = state == null ? AutoscalingState.INITIAL : state;
  }
}
