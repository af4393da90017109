package io.troupe.llm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.troupe.llm.model.SafetensorsWriter.PendingTensor;
import io.troupe.llm.model.SafetensorsWriter.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SafetensorsTest {
  @TempDir Path tmp;

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i - n / 2) * 0.125f;
    }
    return v;
  }

  @Test
  void roundTripsAllDtypesWithRowAndColumnReads() throws Exception {
    float[] m = ramp(6 * 8);
    Path f = tmp.resolve("a.safetensors");
    SafetensorsWriter.write(f, List.of(
        new PendingTensor("f32", DType.F32, new long[] {6, 8}, TensorData.of(m)),
        new PendingTensor("f16", DType.F16, new long[] {6, 8}, TensorData.of(m)),
        new PendingTensor("bf16", DType.BF16, new long[] {6, 8}, TensorData.of(m)),
        new PendingTensor("vec", DType.F32, new long[] {3}, TensorData.of(new float[] {1, 2, 3}))),
        Map.of("k", "v"));
    try (SafetensorsFile s = SafetensorsFile.open(f)) {
      assertThat(s.metadata()).containsEntry("k", "v");
      assertThat(s.tensors()).hasSize(4);
      for (String name : List.of("f32", "f16", "bf16")) {
        assertThat(s.read(name)).containsExactly(m); // values are exact in all three types
        float[] rows = s.readRows(name, 2, 3);
        assertThat(rows).hasSize(24);
        assertThat(rows[0]).isEqualTo(m[16]);
        float[] cols = s.readColumns(name, 5, 2);
        assertThat(cols).hasSize(12);
        assertThat(cols[0]).isEqualTo(m[5]);
        assertThat(cols[3]).isEqualTo(m[8 + 6]);
      }
      assertThat(s.read("vec")).containsExactly(1, 2, 3);
      assertThatThrownBy(() -> s.readRows("f32", 5, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void bf16RoundsToNearest() {
    float x = 1.00390625f; // exactly half-way between two bf16 values: rounds to even (1.0)
    assertThat(DType.fromBf16(DType.toBf16(x))).isEqualTo(1.0f);
    assertThat(DType.fromBf16(DType.toBf16(3.14159f))).isCloseTo(3.14159f, within(0.01f));
  }

  @Test
  void rejectsGarbage() throws Exception {
    Path f = tmp.resolve("bad.safetensors");
    Files.write(f, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 2});
    assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessageContaining("not a safetensors file");
  }
}
