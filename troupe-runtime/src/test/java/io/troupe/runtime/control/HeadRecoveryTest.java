package io.troupe.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A restarted head's recovery on a manual clock: what it defers, when it is due, what it replays. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeadRecoveryTest {
  private Instant now = Instant.parse("2026-12-04T12:00:00Z");
  private final InstantSource clock = () -> now;

  @Test
  void aHeadWithoutPreviousStateNeverRecovers() {
    HeadRecovery<String> r = new HeadRecovery<>(clock, false, Set.of(), "h:1", Duration.ofSeconds(10));

    assertThat(r.recovering()).isFalse();
    assertThat(r.onRegistered(Set.of("h:1"))).isFalse();
    now = now.plusSeconds(60);
    assertThat(r.graceOver()).isFalse();
    assertThatThrownBy(() -> r.defer("create")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dueOnceEveryKnownNodeButItselfRegisteredThenReplaysInOrder() {
    HeadRecovery<String> r = new HeadRecovery<>(clock, true, Set.of("h:1", "a:2", "b:3"), "h:1",
        Duration.ofSeconds(10));
    r.defer("create x");
    r.defer("lookup x");

    assertThat(r.onRegistered(Set.of("h:1"))).isFalse();
    assertThat(r.onRegistered(Set.of("h:1", "a:2", "c:9"))).isFalse(); // a stranger does not count
    assertThat(r.onRegistered(Set.of("h:1", "a:2", "b:3"))).isTrue();
    assertThat(r.recovering()).isTrue(); // until the caller finishes
    assertThat(r.finish()).containsExactly("create x", "lookup x");
    assertThat(r.recovering()).isFalse();
    assertThat(r.onRegistered(Set.of("h:1", "a:2", "b:3"))).isFalse(); // once only
    assertThat(r.finish()).isEmpty();
  }

  @Test
  void dueWhenTheGracePeriodPassesWithNodesMissing() {
    HeadRecovery<String> r = new HeadRecovery<>(clock, true, Set.of("a:2", "gone:4"), "h:1", Duration.ofSeconds(10));
    assertThat(r.deadline()).isEqualTo(now.plusSeconds(10));
    assertThat(r.onRegistered(Set.of("a:2", "h:1"))).isFalse();

    now = now.plusSeconds(10);
    assertThat(r.graceOver()).isFalse(); // at the deadline, not yet after it
    now = now.plusMillis(1);
    assertThat(r.graceOver()).isTrue();
    r.finish();
    assertThat(r.graceOver()).isFalse();
  }

  @Test
  void aPreviousHeadThatKnewNoNodesWaitsForTheGracePeriod() {
    HeadRecovery<String> r = new HeadRecovery<>(clock, true, Set.of(), "h:1", Duration.ofSeconds(3));

    assertThat(r.onRegistered(Set.of("h:1"))).isFalse();
    now = now.plusSeconds(4);
    assertThat(r.graceOver()).isTrue();
  }
}
