package io.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PropertyTimeoutTest {

  @Test
  void aPropertyThatRunsPastItsLimitFailsWithTheReason() {
    long t0 = System.nanoTime();
    Events tests = EngineTestKit.engine("jqwik").selectors(selectClass(SlowProperty.class)).execute().testEvents();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    tests.assertStatistics(s -> s.started(1).failed(1).succeeded(0));
    assertThat(tests.failed().stream().findFirst().orElseThrow().getPayload(
        org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
        .hasMessageContaining("ran longer than its 1 s limit (@PropertyTimeout)");
    assertThat(ms).as("1,000 tries of 20 ms would take 20 s").isLessThan(10_000);
  }

  @Test
  void aPropertyWithinItsLimitPasses() {
    EngineTestKit.engine("jqwik").selectors(selectClass(PropertyRuns.class)).execute().testEvents()
        .assertStatistics(s -> s.started(1).succeeded(1));
  }

  /** Would run about 20 s; its limit is 1 s. */
  @PropertyTimeout(seconds = 1)
  static class SlowProperty {
    @Property(tries = 1_000, shrinking = net.jqwik.api.ShrinkingMode.OFF)
    boolean slow() {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      return true;
    }
  }
}
