package io.troupe.serve.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.DeploymentId;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LoadMetricsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final DeploymentId D = new DeploymentId("app", "d");
  private final LoadMetrics m = new LoadMetrics(Duration.ofSeconds(3));
  private final AutoscalingConfig c = AutoscalingConfig.builder().maxReplicas(4)
      .metricsInterval(Duration.ofSeconds(1)).lookBackPeriod(Duration.ofSeconds(5)).build();

  @Test
  void averagesEachReporterOverTheWindowAndSumsReporters() {
    for (int i = 0; i < 10; i++) {
      m.record(D, "caller:a", T0.plusSeconds(i), i);   // window at t=9 keeps 4..9 -> mean 6.5
      m.record(D, "replica:r1", T0.plusSeconds(i), 2); // mean 2
    }
    var agg = m.aggregate(D, c, T0.plusSeconds(9), r -> true).orElseThrow();
    assertThat(agg.totalOngoingRequests()).isEqualTo(8.5);
    assertThat(agg.reporters()).isEqualTo(2);
    assertThat(agg.history()).hasSize(12).isSortedAccordingTo(java.util.Comparator.comparing(s -> s.at()));
  }

  @Test
  void maxAndMinAggregation() {
    for (int i = 0; i < 5; i++) {
      m.record(D, "caller:a", T0.plusSeconds(i), i);
    }
    var max = AutoscalingConfig.builder().aggregationFunction(AutoscalingConfig.Aggregation.MAX)
        .lookBackPeriod(Duration.ofSeconds(30)).build();
    var min = AutoscalingConfig.builder().aggregationFunction(AutoscalingConfig.Aggregation.MIN)
        .lookBackPeriod(Duration.ofSeconds(30)).build();
    assertThat(m.aggregate(D, max, T0.plusSeconds(4), r -> true).orElseThrow().totalOngoingRequests()).isEqualTo(4);
    assertThat(m.aggregate(D, min, T0.plusSeconds(4), r -> true).orElseThrow().totalOngoingRequests()).isZero();
  }

  @Test
  void silentReportersDropOutAfterTwiceTheIntervalOrTheMinimum() {
    m.record(D, "caller:dead", T0, 10);
    m.record(D, "caller:alive", T0, 1);
    m.record(D, "caller:alive", T0.plusSeconds(3), 1);
    var agg = m.aggregate(D, c, T0.plusSeconds(3), r -> true).orElseThrow();
    assertThat(agg.totalOngoingRequests()).isEqualTo(11); // dead one silent for 3 s: not stale yet (min 3 s)
    agg = m.aggregate(D, c, T0.plusMillis(3001), r -> true).orElseThrow();
    assertThat(agg.totalOngoingRequests()).isEqualTo(1);
    assertThat(agg.reporters()).isEqualTo(1);
    assertThat(m.aggregate(D, c, T0.plusSeconds(10), r -> true)).isEmpty();
  }

  @Test
  void aReporterThatNoLongerBelongsIsDroppedAndOldSamplesIgnored() {
    m.record(D, "replica:gone", T0, 5);
    m.record(D, "caller:a", T0.plusSeconds(2), 3);
    m.record(D, "caller:a", T0.plusSeconds(1), 100); // out of order: ignored
    var agg = m.aggregate(D, c, T0.plusSeconds(2), r -> !r.equals("replica:gone")).orElseThrow();
    assertThat(agg.totalOngoingRequests()).isEqualTo(3);
  }

  @Test
  void aReporterWithNothingInTheWindowCountsWithItsNewestSample() {
    AutoscalingConfig shortWindow = AutoscalingConfig.builder().metricsInterval(Duration.ofSeconds(10))
        .lookBackPeriod(Duration.ofSeconds(1)).build();
    m.record(D, "caller:a", T0, 4);
    assertThat(m.aggregate(D, shortWindow, T0.plusSeconds(5), r -> true).orElseThrow().totalOngoingRequests())
        .isEqualTo(4);
  }
}
