package io.troupe.bench.llm;

import io.troupe.llm.kernels.F32Matrix;
import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.kernels.MatMul;
import io.troupe.llm.kernels.Matrix;
import io.troupe.llm.kernels.Q8Matrix;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GFLOPS of {@link MatMul#matmul} alone on TinyLlama-shaped weights (2048x2048 and 5632x2048) for a few
 * token counts, F32 and int8: the kernel-level view that {@link EngineBenchmark} folds into tokens/s.
 * A program, not a test; takes well under a minute.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "$CP" io.troupe.bench.llm.MatMulBenchmark [threads]
 * </pre>
 */
public final class MatMulBenchmark {
  private MatMulBenchmark() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
    SplittableRandom r = new SplittableRandom(7);
    System.out.printf(Locale.ROOT, "kernels %s, %d threads%n", Kernels.best().name(), threads);
    System.out.printf(Locale.ROOT, "%-6s %-11s %6s %10s %10s%n", "dtype", "shape", "tokens", "ms/call", "GFLOPS");
    try (MatMul mm = new MatMul(Kernels.best(), threads)) {
      for (int[] shape : new int[][] {{2048, 2048}, {5632, 2048}}) {
        int rows = shape[0];
        int cols = shape[1];
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (r.nextDouble() - 0.5);
        }
        Matrix[] ms = {new F32Matrix(rows, cols, w), Q8Matrix.quantize(rows, cols, w)};
        for (Matrix m : ms) {
          for (int n : new int[] {1, 8, 32, 256}) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
              x[i] = (float) (r.nextDouble() - 0.5);
            }
            float[] out = new float[n * rows];
            double flops = 2.0 * rows * cols * n;
            int reps = (int) Math.max(3, Math.min(200, 2e10 / flops / 4));
            for (int i = 0; i < Math.max(2, reps / 4); i++) {
              mm.matmul(m, x, cols, n, out, rows, 0);
            }
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
              long t0 = System.nanoTime();
              for (int i = 0; i < reps; i++) {
                mm.matmul(m, x, cols, n, out, rows, 0);
              }
              best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
            }
            System.out.printf(Locale.ROOT, "%-6s %-11s %6d %10.3f %10.1f%n", m instanceof F32Matrix ? "f32" : "int8",
                rows + "x" + cols, n, best * 1e3, flops / best / 1e9);
          }
        }
      }
    }
  }
}
