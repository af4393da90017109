package io.troupe.serve.autoscaling;

/**
 * Decides a deployment's replica count from its load (Ray Serve's autoscaling policy function).
 * Pure: no clocks, no I/O, no hidden state; everything comes in the context and leaves in the
 * decision, so it is replayable in tests.
 */
@FunctionalInterface
public interface AutoscalingPolicy {
  AutoscalingDecision decide(AutoscalingContext context);
}
