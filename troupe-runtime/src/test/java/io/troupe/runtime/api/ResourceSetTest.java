package io.troupe.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ResourceSetTest {

  @Test
  void fractionsAddAndSubtractWithoutDrift() {
    ResourceSet tenth = ResourceSet.of("GPU", 0.1);
    ResourceSet sum = ResourceSet.EMPTY;
    for (int i = 0; i < 10; i++) {
      sum = sum.plus(tenth);
    }
    assertThat(sum).isEqualTo(ResourceSet.of("GPU", 1));
    assertThat(sum.units("GPU")).isEqualTo(ResourceSet.UNIT);
    for (int i = 0; i < 10; i++) {
      sum = sum.minus(tenth);
    }
    assertThat(sum.isEmpty()).isTrue();
    assertThat(sum).isEqualTo(ResourceSet.EMPTY);
  }

  @Test
  void quantitiesAreRoundedToTheUnitAndZerosDropped() {
    assertThat(ResourceSet.of("CPU", 0.33333).units("CPU")).isEqualTo(3333);
    assertThat(ResourceSet.of("CPU", 0.00004).isEmpty()).isTrue();
    ResourceSet r = ResourceSet.of("CPU", 2, "GPU", 0);
    assertThat(r.names()).containsExactly("CPU");
    assertThat(r.has("GPU")).isFalse();
    assertThat(r.get("GPU")).isZero();
    assertThat(ResourceSet.of((Map<String, Number>) null)).isSameAs(ResourceSet.EMPTY);
  }

  @Test
  void invalidInputIsRejectedWithAMessageSayingWhatToFix() {
    assertThatThrownBy(() -> ResourceSet.of("CPU", -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative").hasMessageContaining(">= 0");
    assertThatThrownBy(() -> ResourceSet.of("CPU", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    assertThatThrownBy(() -> ResourceSet.of("CPU", Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    assertThatThrownBy(() -> ResourceSet.of("CPU", 1e15))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    assertThatThrownBy(() -> ResourceSet.of("1CPU", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid resource name '1CPU'");
    assertThatThrownBy(() -> ResourceSet.of("has space", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use a letter");
    assertThatThrownBy(() -> ResourceSet.of("a" + "b".repeat(64), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64");
    Map<String, Number> nullQuantity = new HashMap<>();
    nullQuantity.put("CPU", null);
    assertThatThrownBy(() -> ResourceSet.of(nullQuantity))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'CPU' has no quantity");
    assertThatThrownBy(() -> ResourceSet.ofUnits(Map.of("CPU", -1L)))
        .isInstanceOf(IllegalArgumentException.class);
    // Names the pattern allows.
    assertThat(ResourceSet.of("accel.type:A100/x-1_b", 1).names()).containsExactly("accel.type:A100/x-1_b");
  }

  @Test
  void minusRefusesToGoNegativeAndNamesTheResource() {
    ResourceSet four = ResourceSet.of("CPU", 4, "GPU", 1);
    assertThat(four.minus(ResourceSet.of("CPU", 1.5))).isEqualTo(ResourceSet.of("CPU", 2.5, "GPU", 1));
    assertThat(four.minus(four)).isEqualTo(ResourceSet.EMPTY);
    assertThatThrownBy(() -> four.minus(ResourceSet.of("GPU", 2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("GPU would be negative");
    assertThatThrownBy(() -> four.minus(ResourceSet.of("TPU", 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("TPU would be negative");
  }

  @Test
  void minusSaturatingFloorsAtZeroAndDropsExhaustedNames() {
    ResourceSet r = ResourceSet.of("CPU", 2, "GPU", 1).minusSaturating(ResourceSet.of("CPU", 3, "TPU", 1));
    assertThat(r).isEqualTo(ResourceSet.of("GPU", 1));
    assertThat(r.names()).containsExactly("GPU");
    assertThat(ResourceSet.of("CPU", 1).minusSaturating(ResourceSet.of("CPU", 1))).isSameAs(ResourceSet.EMPTY);
  }

  @Test
  void fitsInComparesEveryNameAndTreatsMissingAsZero() {
    ResourceSet node = ResourceSet.of("CPU", 4, "GPU", 1);
    assertThat(ResourceSet.of("CPU", 4).fitsIn(node)).isTrue();
    assertThat(ResourceSet.of("CPU", 4.0001).fitsIn(node)).isFalse();
    assertThat(ResourceSet.of("CPU", 1, "TPU", 1).fitsIn(node)).isFalse();
    assertThat(ResourceSet.EMPTY.fitsIn(ResourceSet.EMPTY)).isTrue();
    assertThat(node.fitsIn(ResourceSet.EMPTY)).isFalse();
  }

  @Test
  void equalityIgnoresHowTheSetWasBuilt() {
    ResourceSet a = ResourceSet.of("CPU", 1, "GPU", 0.5);
    ResourceSet b = ResourceSet.of(Map.of("GPU", 0.5f, "CPU", 1L));
    ResourceSet c = ResourceSet.ofUnits(Map.of("CPU", 10_000L, "GPU", 5_000L, "TPU", 0L));
    assertThat(a).isEqualTo(b).isEqualTo(c).hasSameHashCodeAs(b).hasSameHashCodeAs(c);
    assertThat(ResourceSet.of("CPU", 1).plus(ResourceSet.EMPTY)).isEqualTo(ResourceSet.of("CPU", 1));
    assertThat(a.toString()).isEqualTo("{CPU: 1, GPU: 0.5}");
    assertThat(a.toMap()).containsExactly(Map.entry("CPU", 1.0), Map.entry("GPU", 0.5));
  }

  @Test
  void jsonIsAPlainObjectOfNumbersAndRoundTrips() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ResourceSet r = ResourceSet.of(Map.of("CPU", 2, "GPU", 0.25, "memory", 1_073_741_824.0));
    String text = json.writeValueAsString(r);
    assertThat(text).isEqualTo("{\"CPU\":2.0,\"GPU\":0.25,\"memory\":1.073741824E9}");
    assertThat(json.readValue(text, ResourceSet.class)).isEqualTo(r);
    assertThat(json.readValue("{\"CPU\":1,\"GPU\":0.5}", ResourceSet.class)).isEqualTo(ResourceSet.of("CPU", 1, "GPU", 0.5));
    assertThat(json.readValue("{}", ResourceSet.class)).isEqualTo(ResourceSet.EMPTY);
    assertThat(json.writeValueAsString(ResourceSet.EMPTY)).isEqualTo("{}");
    assertThatThrownBy(() -> json.readValue("{\"CPU\":-1}", ResourceSet.class))
        .hasRootCauseInstanceOf(IllegalArgumentException.class)
        .rootCause().hasMessageContaining("negative");
  }
}
