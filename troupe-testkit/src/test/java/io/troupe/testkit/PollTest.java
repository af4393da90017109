package io.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollTest {

  @Test
  void returnsTheFirstAnswerThatIsDone() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    int got = Poll.upTo(Duration.ofSeconds(10)).every(Duration.ofMillis(1)).until("three calls",
        calls::incrementAndGet, n -> n >= 3);
    assertThat(got).isEqualTo(3);
    assertThat(calls).hasValue(3);
  }

  @Test
  void failsAfterTheDeadlineWithWhatAndTheLastAnswer() {
    AtomicInteger calls = new AtomicInteger();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Poll.upTo(Duration.ofMillis(300)).every(Duration.ofMillis(20))
        .until("the answer 42", calls::incrementAndGet, n -> n == 42))
        .isInstanceOf(AssertionError.class).hasMessageStartingWith("the answer 42: not reached in 300 ms; last answer: ");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(ms).isBetween(300L, 5_000L);
    assertThat(calls.get()).isBetween(2, 16);
  }

  @Test
  void aConditionAndAZeroTimeoutAskOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Poll.upTo(Duration.ZERO).until("true at once", () -> calls.incrementAndGet() == 1);
    assertThatThrownBy(() -> Poll.upTo(Duration.ZERO).until("never", () -> false))
        .hasMessage("never: not reached in 0 s; last answer: false");
  }

  @Test
  void theUncheckedFormsWaitTheSameWay() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(Poll.upTo(Duration.ofSeconds(10)).every(Duration.ofMillis(1)).await("two", calls::incrementAndGet,
        n -> n == 2)).isEqualTo(2);
    Poll.upTo(Duration.ofSeconds(10)).every(Duration.ofMillis(1)).await("four", () -> calls.incrementAndGet() == 4);
    assertThatThrownBy(() -> Poll.upTo(Duration.ofMillis(50)).await("never", () -> false))
        .isInstanceOf(AssertionError.class).hasMessage("never: not reached in 50 ms; last answer: false");
  }

  @Test
  void aProbesExceptionEndsTheWait() {
    assertThatThrownBy(() -> Poll.upTo(Duration.ofSeconds(10)).until("io", () -> {
      throw new IOException("refused");
    })).isInstanceOf(IOException.class).hasMessage("refused");
  }

  @Test
  void theManualClockMovesOnlyByHand() {
    ManualClock clock = new ManualClock();
    Instant t0 = clock.instant();
    assertThat(t0).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(clock.advance(Duration.ofSeconds(5))).isEqualTo(t0.plusSeconds(5));
    assertThat(clock.instant()).isEqualTo(t0.plusSeconds(5));
    assertThat(new ManualClock(Instant.EPOCH).instant()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void aFreePortCanBeBound() throws IOException {
    int port = FreePorts.pick();
    assertThat(port).isBetween(1, 65535);
    try (java.net.ServerSocket s = new java.net.ServerSocket(port)) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void throughoutKeepsAskingForTheWholeWindowAndFailsAtTheFirstBrokenAnswer() throws Exception {
    AtomicInteger n = new AtomicInteger();
    assertThat(Poll.upTo(Duration.ofMillis(100)).every(Duration.ofMillis(10))
        .throughout("stays small", n::incrementAndGet, v -> v < 1_000)).hasSizeGreaterThan(2);
    AtomicInteger m = new AtomicInteger();
    assertThatThrownBy(() -> Poll.upTo(Duration.ofSeconds(5)).every(Duration.ofMillis(1))
        .throughout("stays below 3", m::incrementAndGet, v -> v < 3))
        .isInstanceOf(AssertionError.class).hasMessageContaining("stays below 3").hasMessageContaining("[1, 2, 3]");
  }
}
