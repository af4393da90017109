package io.troupe.serve.autoscaling;

import io.troupe.serve.api.AutoscalingConfig;
import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link AutoscalingPolicy} decides from. Immutable.
 *
 * @param config the deployment's autoscaling options
 * @param currentTarget the replica count the controller is driving toward now
 * @param runningReplicas replicas serving now
 * @param totalOngoingRequests requests queued at callers plus executing at replicas, summed over the
 *     deployment and averaged over {@link AutoscalingConfig#lookBackPeriod()} by whoever reports it
 * @param now the controller's clock
 * @param state what the policy returned last time (start with {@link AutoscalingState#INITIAL})
 */
public record AutoscalingContext(AutoscalingConfig config, int currentTarget, int runningReplicas,
    double totalOngoingRequests, Instant now, AutoscalingState state) {
  public AutoscalingContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(state, "state");
  }
}
