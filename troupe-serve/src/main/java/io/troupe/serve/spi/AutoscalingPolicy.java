package io.troupe.serve.spi;

/**
 * Decides a deployment's replica count from its load (Ray Serve's custom autoscaling policy). Pure:
 * no clocks, no I/O, no hidden state; everything comes in the {@link AutoscalingContext} and leaves in the
 * {@link AutoscalingDecision}, so a policy is replayable in tests.
 *
 * <p>Select one per deployment with {@code autoscaling_config: {policy: com.example.MyPolicy}}: a public
 * class with a public no-argument constructor on the head's classpath ({@code troupe start --classpath}).
 * The controller creates one instance per class and calls it on its own thread, once per tick (every
 * 0.1 s) for every autoscaling deployment; a policy that throws keeps the current target and is logged.
 * The built-in policy ({@code io.troupe.serve.autoscaling.OngoingRequestsPolicy}) is one implementation.
 */
@FunctionalInterface
public interface AutoscalingPolicy {
  AutoscalingDecision decide(AutoscalingContext context);
}
