package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OptionParsersTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
      "1073741824, 1073741824",
      "0, 0",
      "64k, 65536",
      "512M, 536870912",
      "512MB, 536870912",
      "4G, 4294967296",
      "4g, 4294967296",
      "1.5GiB, 1610612736",
      "2T, 2199023255552",
      "100B, 100"})
  void memorySizes(String text, long bytes) {
    assertThat(OptionParsers.parseMemory(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "G", "4X", "-1", "4 GB extra", "1e9", "4i", "99999999P"})
  void badMemorySizes(String text) {
    assertThatThrownBy(() -> OptionParsers.parseMemory(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durations() {
    assertThat(OptionParsers.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(OptionParsers.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(OptionParsers.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(OptionParsers.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(OptionParsers.parseDuration("PT3S")).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> OptionParsers.parseDuration("0s")).hasMessageContaining("longer than zero");
    assertThatThrownBy(() -> OptionParsers.parseDuration("10")).hasMessageContaining("not a duration");
  }

  @Test
  void labels() {
    assertThat(OptionParsers.parseLabels("zone=a, tier=gpu,empty=")).containsExactly(
        java.util.Map.entry("zone", "a"), java.util.Map.entry("tier", "gpu"), java.util.Map.entry("empty", ""));
    assertThatThrownBy(() -> OptionParsers.parseLabels("=a")).hasMessageContaining("not key=value");
    assertThatThrownBy(() -> OptionParsers.parseLabels("a=b,")).hasMessageContaining("not key=value");
    assertThatThrownBy(() -> OptionParsers.parseLabels("a=b c")).hasMessageContaining("invalid value");
  }

  @Test
  void resources() {
    assertThat(OptionParsers.parseResources("{\"disk_gb\": 200, \"accelerator_type:H100\": 0.5}"))
        .containsEntry("disk_gb", 200.0).containsEntry("accelerator_type:H100", 0.5);
    assertThat(OptionParsers.parseResources("{}")).isEmpty();
    assertThatThrownBy(() -> OptionParsers.parseResources("{\"x\": 1e300}")).hasMessageContaining("too large");
    assertThatThrownBy(() -> OptionParsers.parseResources("{\"x\": null}")).hasMessageContaining("give a number");
    assertThatThrownBy(() -> OptionParsers.parseResources("\"x\"")).hasMessageContaining("JSON object");
  }

  @Test
  void hostPort() {
    assertThat(OptionParsers.parseHostPort("10.0.0.5:6380")).isEqualTo("10.0.0.5:6380");
    assertThat(OptionParsers.host("[::1]:6380")).isEqualTo("::1");
    assertThat(OptionParsers.port("[::1]:6380")).isEqualTo(6380);
    assertThatThrownBy(() -> OptionParsers.parseHostPort("host")).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> OptionParsers.parseHostPort("host:0")).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> OptionParsers.parseHostPort(":80")).hasMessageContaining("HOST:PORT");
  }

  @Test
  void formatting() {
    assertThat(OptionParsers.formatQuantity(2.0)).isEqualTo("2");
    assertThat(OptionParsers.formatQuantity(0.5)).isEqualTo("0.5");
    assertThat(OptionParsers.formatQuantity(1.0 / 3)).isEqualTo("0.33");
    assertThat(OptionParsers.formatBytes(512.0 * 1024 * 1024)).isEqualTo("512 MiB");
    assertThat(OptionParsers.formatBytes(1.5 * 1024 * 1024 * 1024)).isEqualTo("1.5 GiB");
  }
}
