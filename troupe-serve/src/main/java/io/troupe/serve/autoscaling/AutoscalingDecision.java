package io.troupe.serve.autoscaling;

/** A policy's answer: the replica count to drive toward, and its state for next time. Immutable. */
public record AutoscalingDecision(int targetReplicas, AutoscalingState state) {
}
