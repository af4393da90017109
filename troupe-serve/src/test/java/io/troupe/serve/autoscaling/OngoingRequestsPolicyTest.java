package io.troupe.serve.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.spi.AutoscalingContext;
import io.troupe.serve.spi.AutoscalingDecision;
import io.troupe.serve.spi.AutoscalingState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OngoingRequestsPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final OngoingRequestsPolicy policy = new OngoingRequestsPolicy();

  private static AutoscalingContext ctx(AutoscalingConfig c, int current, int running, double total, Instant now,
      AutoscalingState state) {
    return new AutoscalingContext(new DeploymentId("app", "d"), c, current, running, total, java.util.List.of(), now,
        state);
  }

  private static AutoscalingConfig.Builder cfg() {
    return AutoscalingConfig.builder().minReplicas(1).maxReplicas(10).targetOngoingRequests(2)
        .upscaleDelay(Duration.ofSeconds(30)).downscaleDelay(Duration.ofSeconds(600));
  }

  @Test
  void desiredIsCeilOfOngoingOverTargetWithinBounds() {
    AutoscalingConfig c = cfg().build();
    assertThat(OngoingRequestsPolicy.desiredReplicas(c, 2, 10)).isEqualTo(5);
    assertThat(OngoingRequestsPolicy.desiredReplicas(c, 3, 7)).isEqualTo(4);
    assertThat(OngoingRequestsPolicy.desiredReplicas(c, 4, 4)).isEqualTo(2);
    assertThat(OngoingRequestsPolicy.desiredReplicas(c, 4, 0)).isEqualTo(1);     // min
    assertThat(OngoingRequestsPolicy.desiredReplicas(c, 4, 1000)).isEqualTo(10); // max
    assertThat(OngoingRequestsPolicy.desiredReplicas(cfg().minReplicas(0).build(), 3, 0)).isZero();
  }

  @Test
  void smoothingDampsSteps() {
    AutoscalingConfig half = cfg().smoothingFactor(0.5).build();
    // ratio 10/(2*2) = 2.5 -> 1 + 1.5*0.5 = 1.75 -> ceil(3.5) = 4 instead of 5
    assertThat(OngoingRequestsPolicy.desiredReplicas(half, 2, 10)).isEqualTo(4);
    AutoscalingConfig fastUpSlowDown = cfg().upscalingFactor(2.0).downscalingFactor(0.5).build();
    assertThat(OngoingRequestsPolicy.desiredReplicas(fastUpSlowDown, 2, 8)).isEqualTo(6); // 1+(2-1)*2=3 -> 6
    assertThat(OngoingRequestsPolicy.desiredReplicas(fastUpSlowDown, 8, 8)).isEqualTo(6); // 1-0.5*0.5 -> 6
  }

  @Test
  void upscaleWaitsForItsDelay() {
    AutoscalingConfig c = cfg().build();
    AutoscalingDecision d = policy.decide(ctx(c, 2, 2, 10, T0, AutoscalingState.INITIAL));
    assertThat(d.targetReplicas()).isEqualTo(2);
    d = policy.decide(ctx(c, 2, 2, 10, T0.plusSeconds(29), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(2);
    d = policy.decide(ctx(c, 2, 2, 10, T0.plusSeconds(30), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(5);
    assertThat(d.state()).isEqualTo(AutoscalingState.INITIAL);
  }

  @Test
  void aDipResetsTheDelay() {
    AutoscalingConfig c = cfg().build();
    AutoscalingDecision d = policy.decide(ctx(c, 2, 2, 10, T0, AutoscalingState.INITIAL));
    d = policy.decide(ctx(c, 2, 2, 4, T0.plusSeconds(20), d.state())); // back on target
    d = policy.decide(ctx(c, 2, 2, 10, T0.plusSeconds(31), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(2); // the clock started again at 31 s
    d = policy.decide(ctx(c, 2, 2, 10, T0.plusSeconds(61), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(5);
  }

  @Test
  void downscaleWaitsLongerAndColdStartIsImmediate() {
    AutoscalingConfig c = cfg().minReplicas(0).build();
    AutoscalingDecision d = policy.decide(ctx(c, 4, 4, 0, T0, AutoscalingState.INITIAL));
    d = policy.decide(ctx(c, 4, 4, 0, T0.plusSeconds(599), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(4);
    d = policy.decide(ctx(c, 4, 4, 0, T0.plusSeconds(600), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(1); // first down to one
    d = policy.decide(ctx(c, 1, 1, 0, T0.plusSeconds(601), d.state()));
    d = policy.decide(ctx(c, 1, 1, 0, T0.plusSeconds(1200), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(1); // downscale_to_zero_delay_s defaults to downscale_delay_s
    d = policy.decide(ctx(c, 1, 1, 0, T0.plusSeconds(1201), d.state()));
    assertThat(d.targetReplicas()).isZero();
    d = policy.decide(ctx(c, 0, 0, 3, T0.plusSeconds(1202), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(1); // scale from zero without waiting
  }

  @Test
  void downscaleToZeroHasItsOwnDelay() {
    AutoscalingConfig c = cfg().minReplicas(0).downscaleDelay(Duration.ofSeconds(2))
        .downscaleToZeroDelay(Duration.ofSeconds(60)).build();
    AutoscalingDecision d = policy.decide(ctx(c, 1, 1, 0, T0, AutoscalingState.INITIAL));
    d = policy.decide(ctx(c, 1, 1, 0, T0.plusSeconds(59), d.state()));
    assertThat(d.targetReplicas()).isEqualTo(1);
    d = policy.decide(ctx(c, 1, 1, 0, T0.plusSeconds(60), d.state()));
    assertThat(d.targetReplicas()).isZero();
  }
}
