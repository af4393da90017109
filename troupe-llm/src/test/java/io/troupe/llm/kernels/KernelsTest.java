package io.troupe.llm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KernelsTest {
  private static float[] rand(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  @Test
  void vectorApiIsUsedWhenTheModuleIsPresent() {
    // surefire runs with --add-modules jdk.incubator.vector
    assertThat(Kernels.vectorApiAvailable()).isTrue();
    assertThat(Kernels.best().name()).startsWith("vector");
  }

  @Test
  void vectorAndScalarAgreeOnOddLengthsAndOffsets() {
    Kernels v = Kernels.best();
    Kernels s = new ScalarKernels();
    SplittableRandom r = new SplittableRandom(1);
    for (int n : new int[] {0, 1, 7, 16, 33, 64, 100, 257}) {
      float[] a = rand(r, n + 5);
      float[] b = rand(r, n + 3);
      assertThat(v.dot(a, 5, b, 3, n)).isCloseTo(s.dot(a, 5, b, 3, n), within(1e-4f));
      byte[] q = new byte[n + 2];
      for (int i = 0; i < q.length; i++) {
        q[i] = (byte) (r.nextInt(255) - 127);
      }
      assertThat(v.dotQ8(q, 2, b, 3, n)).isCloseTo(s.dotQ8(q, 2, b, 3, n), within(1e-2f));
      float[] y1 = rand(r, n + 1);
      float[] y2 = y1.clone();
      v.axpy(0.5f, a, 5, y1, 1, n);
      s.axpy(0.5f, a, 5, y2, 1, n);
      for (int i = 0; i < y1.length; i++) {
        assertThat(y1[i]).isCloseTo(y2[i], within(1e-6f));
      }
    }
  }

  @Test
  void parallelMatmulMatchesSerialForF32AndQ8() {
    SplittableRandom r = new SplittableRandom(2);
    int rows = 37;
    int cols = 70;
    int n = 5;
    float[] w = rand(r, rows * cols);
    float[] x = rand(r, n * cols);
    Matrix[] ms = {new F32Matrix(rows, cols, w), Q8Matrix.quantize(rows, cols, w)};
    for (Matrix m : ms) {
      float[] serial = new float[n * rows];
      float[] par = new float[n * rows];
      try (MatMul one = new MatMul(new ScalarKernels(), 1); MatMul many = new MatMul(Kernels.best(), 3)) {
        one.matmul(m, x, cols, n, serial, rows, 0);
        many.matmul(m, x, cols, n, par, rows, 0);
      }
      for (int i = 0; i < serial.length; i++) {
        assertThat(par[i]).isCloseTo(serial[i], within(1e-3f));
      }
    }
    // Q8 approximates float within the quantization step
    float[] exact = new float[n * rows];
    float[] quant = new float[n * rows];
    try (MatMul mm = new MatMul(Kernels.best(), 1)) {
      mm.matmul(ms[0], x, cols, n, exact, rows, 0);
      mm.matmul(ms[1], x, cols, n, quant, rows, 0);
    }
    for (int i = 0; i < exact.length; i++) {
      assertThat(quant[i]).isCloseTo(exact[i], within(0.05f));
    }
  }
}
