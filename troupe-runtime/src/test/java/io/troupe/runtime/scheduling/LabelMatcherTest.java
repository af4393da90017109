package io.troupe.runtime.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LabelMatcherTest {
  private static final Map<String, String> LABELS = Map.of("zone", "us-1", "accel", "a100");

  @Test
  void equalsOneOfNotEqualAndExists() {
    assertThat(LabelMatcher.matches(Map.of("zone", "us-1"), LABELS)).isTrue();
    assertThat(LabelMatcher.matches(Map.of("zone", "us-2"), LABELS)).isFalse();
    assertThat(LabelMatcher.matches(Map.of("zone", "us-2,us-1"), LABELS)).isTrue();
    assertThat(LabelMatcher.matches(Map.of("zone", "us-2, us-1 "), LABELS)).isTrue();
    assertThat(LabelMatcher.matches(Map.of("zone", "us"), LABELS)).as("no prefix match").isFalse();
    assertThat(LabelMatcher.matches(Map.of("zone", "!us-1"), LABELS)).isFalse();
    assertThat(LabelMatcher.matches(Map.of("zone", "!us-2"), LABELS)).isTrue();
    assertThat(LabelMatcher.matches(Map.of("rack", "!r1"), LABELS)).as("absent label is not r1").isTrue();
    assertThat(LabelMatcher.matches(Map.of("accel", "*"), LABELS)).isTrue();
    assertThat(LabelMatcher.matches(Map.of("rack", "*"), LABELS)).isFalse();
    assertThat(LabelMatcher.matches(Map.of("rack", "r1"), LABELS)).isFalse();
  }

  @Test
  void everyHardEntryMustMatchAndAnEmptySelectorMatchesAll() {
    assertThat(LabelMatcher.matches(Map.of("zone", "us-1", "accel", "h100"), LABELS)).isFalse();
    assertThat(LabelMatcher.matches(Map.of("zone", "us-1", "accel", "a100,h100"), LABELS)).isTrue();
    assertThat(LabelMatcher.matches(Map.of(), Map.of())).isTrue();
  }

  @Test
  void scoreCountsMatchingEntries() {
    assertThat(LabelMatcher.score(Map.of("zone", "us-1", "accel", "h100", "rack", "!r1"), LABELS)).isEqualTo(2);
    assertThat(LabelMatcher.score(Map.of(), LABELS)).isZero();
  }
}
