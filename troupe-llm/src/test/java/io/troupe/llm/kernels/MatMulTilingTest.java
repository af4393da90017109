package io.troupe.llm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The register-tiled products cover every tile shape (4x4, 4x1, single-row remainders, column tails,
 * several token blocks) and give a token the same result whatever batch it is computed in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MatMulTilingTest {
  private static float[] rand(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  private static double exact(float[] w, int cols, int row, float[] x, int xOff) {
    double s = 0;
    for (int c = 0; c < cols; c++) {
      s += (double) w[row * cols + c] * x[xOff + c];
    }
    return s;
  }

  @Test
  void everyTileShapeMatchesADoubleSum() {
    SplittableRandom r = new SplittableRandom(3);
    try (MatMul mm = new MatMul(Kernels.best(), 2); MatMul scalar = new MatMul(new ScalarKernels(), 1)) {
      for (int rows : new int[] {1, 3, 4, 7, 64, 130}) {
        for (int cols : new int[] {1, 15, 16, 70, 256}) {
          for (int n : new int[] {1, 2, 3, 4, 5, 9, 70}) {
            int xStride = cols + 3;
            float[] w = rand(r, rows * cols);
            float[] x = rand(r, n * xStride);
            int outStride = rows + 5;
            int outOff = 2;
            for (Matrix m : new Matrix[] {new F32Matrix(rows, cols, w), Q8Matrix.quantize(rows, cols, w)}) {
              for (MatMul k : new MatMul[] {mm, scalar}) {
                float[] out = new float[n * outStride];
                k.matmul(m, x, xStride, n, out, outStride, outOff);
                for (int t = 0; t < n; t++) {
                  for (int row = 0; row < rows; row++) {
                    double want = m instanceof F32Matrix ? exact(w, cols, row, x, t * xStride)
                        : q8Exact((Q8Matrix) m, row, x, t * xStride);
                    assertThat((double) out[t * outStride + outOff + row])
                        .as("%s rows=%d cols=%d n=%d t=%d r=%d", k.kernels().name(), rows, cols, n, t, row)
                        .isCloseTo(want, within(1e-4 * Math.max(1, cols / 16.0)));
                  }
                  assertThat(out[t * outStride]).isZero();
                  assertThat(out[t * outStride + 1]).isZero();
                }
              }
            }
          }
        }
      }
    }
  }

  private static double q8Exact(Q8Matrix m, int row, float[] x, int xOff) {
    double s = 0;
    for (int c = 0; c < m.cols(); c++) {
      s += (double) m.q()[row * m.cols() + c] * x[xOff + c];
    }
    return s * m.scales()[row];
  }

  @Test
  void aTokensResultDoesNotDependOnItsBatch() {
    SplittableRandom r = new SplittableRandom(4);
    int rows = 36;
    int cols = 2048;
    int n = 11;
    float[] w = rand(r, rows * cols);
    float[] x = rand(r, n * cols);
    try (MatMul mm = new MatMul(Kernels.best(), 2)) {
      for (Matrix m : new Matrix[] {new F32Matrix(rows, cols, w), Q8Matrix.quantize(rows, cols, w)}) {
        float[] batched = new float[n * rows];
        mm.matmul(m, x, cols, n, batched, rows, 0);
        for (int t = 0; t < n; t++) {
          float[] alone = new float[rows];
          mm.matmul(m, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), cols, 1, alone, rows, 0);
          for (int row = 0; row < rows; row++) {
            // Same summation order; only the lane reduction may differ while the JIT warms up.
            assertThat(batched[t * rows + row]).as("t=%d r=%d", t, row)
                .isCloseTo(alone[row], within(1e-5f * Math.max(1, Math.abs(alone[row]))));
          }
        }
      }
    }
  }
}
