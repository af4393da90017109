package io.troupe.llm.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * Matrix-vector and matrix-matrix products over a fixed number of threads (the CPUs given to a rank).
 * Work is split by output rows so each weight row is read from memory once per call (per block of
 * tokens) and reused for every token in the batch; the per-chunk loops are {@link Kernels#matmulF32} and
 * {@link Kernels#matmulQ8}. Thread-safe: calls may come from several threads; each call blocks until done.
 */
public final class MatMul implements AutoCloseable {
  private final Kernels kernels;
  private final int threads;
  private final ForkJoinPool pool;

  /** @param threads CPUs to use; 1 runs everything on the calling thread */
  public MatMul(Kernels kernels, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    this.kernels = kernels;
    this.threads = threads;
    this.pool = threads == 1 ? null : new ForkJoinPool(threads);
  }

  public Kernels kernels() {
    return kernels;
  }

  public int threads() {
    return threads;
  }

  /**
   * {@code out[t*outStride + outOff + r] = sum_c w[r][c] * x[t*xStride + c]} for {@code t < n}, {@code r < rows}.
   */
  public void matmul(Matrix w, float[] x, int xStride, int n, float[] out, int outStride, int outOff) {
    int rows = w.rows();
    int cols = w.cols();
    // Chunks are multiples of 4 rows so the vector kernels' 4-row tiles are never split.
    parallelFor((rows + 3) / 4, 4, (lo, hi) -> {
      int r0 = 4 * lo;
      int r1 = Math.min(rows, 4 * hi);
      switch (w) {
        case F32Matrix f -> kernels.matmulF32(f.data(), cols, r0, r1, x, xStride, n, out, outStride, outOff);
        case Q8Matrix q -> kernels.matmulQ8(q.q(), q.scales(), cols, r0, r1, x, xStride, n, out, outStride, outOff);
        case Half16Matrix h -> kernels.matmulHalf(h, r0, r1, x, xStride, n, out, outStride, outOff);
      }
    });
  }

  /** Runs {@code body(lo, hi)} over {@code [0, n)} in chunks of at least {@code grain}, in parallel. */
  public void parallelFor(int n, int grain, RangeBody body) {
    int chunks = Math.min(threads * 4, Math.max(1, n / Math.max(1, grain)));
    if (pool == null || chunks <= 1) {
      body.run(0, n);
      return;
    }
    List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
    for (int c = 0; c < chunks; c++) {
      int lo = (int) ((long) n * c / chunks);
      int hi = (int) ((long) n * (c + 1) / chunks);
      tasks.add(pool.submit(() -> body.run(lo, hi)));
    }
    for (ForkJoinTask<?> t : tasks) {
      t.join();
    }
  }

  /** Runs {@code body(i)} for each i in {@code [0, n)} in parallel. */
  public void parallelEach(int n, IntConsumer body) {
    parallelFor(n, 1, (lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        body.accept(i);
      }
    });
  }

  /** A range of indices {@code [lo, hi)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int lo, int hi);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
