package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailureDetectionTest {

  /** Half an interval + pause + phi margin + half a reaper round + stable-after + half the SBR tick + gossip. */
  private static long expectedDetectionMs(Map<String, String> m) {
    long hb = ms(m.get("pekko.cluster.failure-detector.heartbeat-interval"));
    long reaper = ms(m.get("pekko.cluster.unreachable-nodes-reaper-interval"));
    return hb / 2 + ms(m.get("pekko.cluster.failure-detector.acceptable-heartbeat-pause")) + 600 + reaper / 2
        + ms(m.get("pekko.cluster.split-brain-resolver.stable-after")) + 500 + 200;
  }

  private static long ms(String v) {
    assertThat(v).endsWith("ms");
    return Long.parseLong(v.substring(0, v.length() - 2));
  }

  @Test
  void aDeadNodeIsDeclaredDeadAboutTheConfiguredTimeAfterItWentSilent() {
    for (long f : new long[] {5_000, 6_000, 10_000, 30_000}) {
      long expected = expectedDetectionMs(FailureDetection.pekkoSettings(Duration.ofMillis(f)));
      assertThat(expected).as("fd %d ms", f).isBetween(f * 9 / 10, f * 11 / 10);
    }
    // Below ~5 s the floors decide: 4 s is detected in under 5 s, not 8 s as with the old derivation.
    assertThat(expectedDetectionMs(FailureDetection.pekkoSettings(Duration.ofSeconds(4)))).isBetween(4_000L, 5_000L);
  }

  @Test
  void shortSettingsKeepTheFloorsThatToleratePausesOnLoadedMachines() {
    Map<String, String> m = FailureDetection.pekkoSettings(Duration.ofMillis(500));
    assertThat(ms(m.get("pekko.cluster.failure-detector.acceptable-heartbeat-pause"))).isEqualTo(2000);
    assertThat(ms(m.get("pekko.cluster.split-brain-resolver.stable-after"))).isEqualTo(1000);
    assertThat(ms(m.get("pekko.cluster.failure-detector.heartbeat-interval"))).isEqualTo(250);
  }

  @Test
  void theNodesPekkoConfigCarriesTheDerivedTimings() {
    NodeConfig c = NodeConfig.builder().head(true).failureDetection(Duration.ofSeconds(10)).build();
    var config = NodeProcess.pekkoConfig(c);
    Map<String, String> m = FailureDetection.pekkoSettings(Duration.ofSeconds(10));
    assertThat(config.getDuration("pekko.cluster.failure-detector.heartbeat-interval").toMillis())
        .isEqualTo(ms(m.get("pekko.cluster.failure-detector.heartbeat-interval")));
    assertThat(config.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis())
        .isEqualTo(ms(m.get("pekko.cluster.split-brain-resolver.stable-after")));
    assertThat(config.getDuration("pekko.cluster.gossip-interval").toMillis()).isEqualTo(1000);
  }
}
