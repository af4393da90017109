package io.troupe.serve.autoscaling;

import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.spi.AutoscalingContext;
import io.troupe.serve.spi.AutoscalingDecision;
import io.troupe.serve.spi.AutoscalingPolicy;
import io.troupe.serve.spi.AutoscalingState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Ray Serve's default policy ({@code replica_queue_length_autoscaling_policy}): scale so each
 * replica has about {@code target_ongoing_requests}. With {@code r} running replicas and {@code t}
 * total ongoing requests, the error ratio is {@code t / (target * r)}; the smoothed ratio
 * {@code 1 + (ratio - 1) * factor} (upscaling or downscaling factor) times {@code r}, rounded up, is
 * the desired count — with factor 1 exactly {@code ceil(t / target)} — bounded by min/max replicas.
 * A desire above the target must last {@code upscale_delay_s}, one below it
 * {@code downscale_delay_s}, before the target moves; the last replica stops only after zero has been
 * wanted for {@code downscale_to_zero_delay_s} (a deployment above one replica first goes down to one).
 * From zero running replicas any request scales to at least one at once (cold start). Stateless and
 * thread-safe.
 */
public final class OngoingRequestsPolicy implements AutoscalingPolicy {

  /** The desired count without delays (Ray's {@code _calculate_desired_num_replicas}). */
  public static int desiredReplicas(AutoscalingConfig c, int running, double totalOngoing) {
    if (running == 0) {
      return clamp(c, totalOngoing > 0 ? 1 : 0);
    }
    double errorRatio = totalOngoing / (c.targetOngoingRequests() * running);
    double factor = errorRatio >= 1 ? c.effectiveUpscalingFactor() : c.effectiveDownscalingFactor();
    double smoothed = 1 + (errorRatio - 1) * factor;
    // Guard against 2.0000000001 becoming 3 through floating point.
    int desired = (int) Math.ceil(running * smoothed - 1e-9);
    return clamp(c, desired);
  }

  private static int clamp(AutoscalingConfig c, int n) {
    return Math.max(c.minReplicas(), Math.min(c.maxReplicas(), n));
  }

  @Override
  public AutoscalingDecision decide(AutoscalingContext ctx) {
    AutoscalingConfig c = ctx.config();
    int current = clamp(c, ctx.currentTarget());
    Instant now = ctx.now();
    if (ctx.runningReplicas() == 0) {
      int cold = ctx.totalOngoingRequests() > 0 ? Math.max(current, clamp(c, 1)) : current;
      return new AutoscalingDecision(cold, AutoscalingState.INITIAL);
    }
    int desired = desiredReplicas(c, ctx.runningReplicas(), ctx.totalOngoingRequests());
    AutoscalingState s = ctx.state();
    if (desired > current) {
      Instant since = s.upscaleWantedSince().orElse(now);
      if (!now.isBefore(since.plus(c.upscaleDelay()))) {
        return new AutoscalingDecision(desired, AutoscalingState.INITIAL);
      }
      return new AutoscalingDecision(current, new AutoscalingState(Optional.of(since), Optional.empty()));
    }
    if (desired < current) {
      Duration delay = c.downscaleDelay();
      if (desired == 0) {
        if (current > 1) {
          desired = 1; // to one after downscale_delay_s, to zero after downscale_to_zero_delay_s
        } else {
          delay = c.effectiveDownscaleToZeroDelay();
        }
      }
      Instant since = s.downscaleWantedSince().orElse(now);
      if (!now.isBefore(since.plus(delay))) {
        return new AutoscalingDecision(desired, AutoscalingState.INITIAL);
      }
      return new AutoscalingDecision(current, new AutoscalingState(Optional.empty(), Optional.of(since)));
    }
    return new AutoscalingDecision(current, AutoscalingState.INITIAL);
  }
}
