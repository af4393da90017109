package io.troupe.llm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 16-bit matrices (bfloat16, float16) kept as shorts and widened per 4-row tile inside the kernels give what the
 * float32 kernels give on the widened values, for every tile shape and batch size, vector and scalar;
 * and they hold half the bytes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Half16MatMulTest {
  @Test
  void widenedPerTileEqualsFloat32OfTheSameValues() {
    SplittableRandom r = new SplittableRandom(5);
    try (MatMul vec = new MatMul(Kernels.best(), 2); MatMul scalar = new MatMul(new ScalarKernels(), 1)) {
      for (boolean bf16 : new boolean[] {true, false}) {
        for (int rows : new int[] {1, 3, 4, 9, 66}) {
          for (int cols : new int[] {1, 17, 32, 100}) {
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
              w[i] = (float) (r.nextDouble() * 4 - 2);
            }
            Half16Matrix h = Half16Matrix.of(rows, cols, w, bf16);
            float[] widened = new float[w.length];
            h.widen(0, w.length, widened, 0);
            F32Matrix f = new F32Matrix(rows, cols, widened);
            assertThat(h.bytes()).isEqualTo(f.bytes() / 2);
            for (int i = 0; i < w.length; i++) {
              assertThat(Math.abs(widened[i] - w[i])).isLessThanOrEqualTo(Math.abs(w[i]) * (bf16 ? 4e-3f : 5e-4f));
            }
            for (int n : new int[] {1, 3, 4, 7, 33}) {
              float[] x = new float[n * (cols + 1)];
              for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextDouble() - 0.5);
              }
              for (MatMul mm : new MatMul[] {vec, scalar}) {
                float[] want = new float[n * rows];
                float[] got = new float[n * rows];
                mm.matmul(f, x, cols + 1, n, want, rows, 0);
                mm.matmul(h, x, cols + 1, n, got, rows, 0);
                // the same sums; only the vector lane reduction's order may differ while the JIT warms up
                for (int i = 0; i < want.length; i++) {
                  assertThat(got[i]).as("%s bf16=%s %dx%d n=%d i=%d", mm.kernels().name(), bf16, rows, cols, n, i)
                      .isCloseTo(want[i], within(1e-5f * Math.max(1f, Math.abs(want[i]))));
                }
              }
            }
          }
        }
      }
    }
  }

  @Test
  void bf16RoundsToNearestEven() {
    assertThat(Half16Matrix.toBf16(1.0f)).isEqualTo((short) 0x3f80);
    assertThat(Half16Matrix.toBf16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80); // tie -> even
    assertThat(Half16Matrix.toBf16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82); // tie -> even
    assertThat(Half16Matrix.toBf16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
  }
}
