package io.troupe.serve.spi;

import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.DeploymentId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What an {@link AutoscalingPolicy} decides from (Ray Serve's {@code AutoscalingContext}). Immutable.
 *
 * @param deployment the deployment being scaled
 * @param config the deployment's autoscaling options
 * @param currentTarget the replica count the controller is driving toward now
 * @param runningReplicas replicas serving now
 * @param totalOngoingRequests requests executing or queued at replicas plus requests waiting at callers for a
 *     replica, summed over the deployment's reporters after each reporter's samples within
 *     {@link AutoscalingConfig#lookBackPeriod()} were aggregated with
 *     {@link AutoscalingConfig#aggregationFunction()} (Ray's default: the mean)
 * @param history every sample behind that total, oldest first: each live reporter's reports within the
 *     look-back period (stale reporters already dropped)
 * @param now the controller's clock
 * @param state what the policy returned last time ({@link AutoscalingState#INITIAL} at first)
 */
public record AutoscalingContext(DeploymentId deployment, AutoscalingConfig config, int currentTarget,
    int runningReplicas, double totalOngoingRequests, List<LoadSample> history, Instant now,
    AutoscalingState state) {
  public AutoscalingContext {
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(state, "state");
    history = List.copyOf(history);
  }

  /**
   * One report of a deployment's load from one reporter. Immutable.
   *
   * @param at when it was sampled, on the controller's clock
   * @param reporter who sent it: {@code replica:<id>} (requests executing or queued at that replica) or
   *     {@code caller:<node>} (requests waiting at that node's proxy and handles for a replica)
   * @param ongoingRequests the count at that moment
   */
  public record LoadSample(Instant at, String reporter, double ongoingRequests) {
    public LoadSample {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reporter, "reporter");
    }
  }
}
