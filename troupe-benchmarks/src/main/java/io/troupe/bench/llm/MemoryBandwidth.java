package io.troupe.bench.llm;

import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.kernels.MatMul;

/** Measures sustained memory read bandwidth with the same kernels and thread count as the engine. */
public final class MemoryBandwidth {
  private MemoryBandwidth() {}

  /** Best of 5 passes over a 512 MiB float array (dot with itself = read once per pass), in GB/s. */
  public static double measureGBps(int threads) {
    int n = 128 << 20;
    float[] a = new float[n];
    for (int i = 0; i < n; i += 1024) {
      a[i] = 1;
    }
    Kernels k = Kernels.best();
    double best = 0;
    try (MatMul mm = new MatMul(k, threads)) {
      int chunk = 1 << 16;
      float[] sink = new float[n / chunk];
      for (int pass = 0; pass < 5; pass++) {
        long t0 = System.nanoTime();
        mm.parallelFor(n / chunk, 1, (lo, hi) -> {
          for (int c = lo; c < hi; c++) {
            sink[c] = k.dot(a, c * chunk, a, c * chunk, chunk);
          }
        });
        double s = (System.nanoTime() - t0) / 1e9;
        best = Math.max(best, 4.0 * n / s / 1e9);
      }
      if (sink[0] == 42) {
        System.out.print("");
      }
    }
    return best;
  }
}
