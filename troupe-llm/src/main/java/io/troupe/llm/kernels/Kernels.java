package io.troupe.llm.kernels;

/**
 * The inner loops of the model: dot products and scaled adds. {@link #best()} picks the Panama Vector
 * API implementation when the {@code jdk.incubator.vector} module is present (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and the scalar one otherwise. Implementations are
 * stateless and thread-safe.
 */
public interface Kernels {
  /** {@code sum(a[aOff+i] * b[bOff+i])} for {@code i < n}. */
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /** {@code sum(q[qOff+i] * x[xOff+i])} for {@code i < n}, q as signed bytes. */
  float dotQ8(byte[] q, int qOff, float[] x, int xOff, int n);

  /** {@code y[yOff+i] += a * x[xOff+i]} for {@code i < n}. */
  void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n);

  /**
   * Rows {@code [rowLo, rowHi)} of a float matrix product: {@code out[t*outStride + outOff + r] =
   * sum_c w[r*cols + c] * x[t*xStride + c]} for {@code t < n}. Every output is one sum in the same order
   * whatever {@code n} and the row range are, so a token's result does not depend on its batch.
   */
  default void matmulF32(float[] w, int cols, int rowLo, int rowHi, float[] x, int xStride, int n, float[] out,
                         int outStride, int outOff) {
    for (int r = rowLo; r < rowHi; r++) {
      for (int t = 0; t < n; t++) {
        out[t * outStride + outOff + r] = dot(w, r * cols, x, t * xStride, cols);
      }
    }
  }

  /** As {@link #matmulF32} for int8 rows {@code q} scaled by {@code scales[r]}. */
  default void matmulQ8(byte[] q, float[] scales, int cols, int rowLo, int rowHi, float[] x, int xStride, int n,
                        float[] out, int outStride, int outOff) {
    for (int r = rowLo; r < rowHi; r++) {
      for (int t = 0; t < n; t++) {
        out[t * outStride + outOff + r] = scales[r] * dotQ8(q, r * cols, x, t * xStride, cols);
      }
    }
  }

  /**
   * As {@link #matmulF32} for a 16-bit matrix: each group of 4 rows is widened to float32 into a scratch tile
   * (in cache) and multiplied against all {@code n} tokens before the next group is read, so a weight is read
   * from memory once per step whatever the batch.
   */
  default void matmulHalf(Half16Matrix w, int rowLo, int rowHi, float[] x, int xStride, int n, float[] out,
                          int outStride, int outOff) {
    int cols = w.cols();
    float[] tile = new float[4 * cols];
    for (int r0 = rowLo; r0 < rowHi; r0 += 4) {
      int rows = Math.min(4, rowHi - r0);
      w.widen(r0 * cols, rows * cols, tile, 0);
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < n; t++) {
          out[t * outStride + outOff + r0 + r] = dot(tile, r * cols, x, t * xStride, cols);
        }
      }
    }
  }

  /** A short name for reports: "vector(512-bit)" or "scalar". */
  String name();

  /** The fastest available implementation, decided once per JVM. */
  static Kernels best() {
    return Holder.BEST;
  }

  /** Whether the Vector API module is in the boot layer. */
  static boolean vectorApiAvailable() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** Lazily initialised choice; VectorKernels is only loaded when its module exists. */
  final class Holder {
    private Holder() {}

    static final Kernels BEST = choose();

    private static Kernels choose() {
      if (vectorApiAvailable() && !Boolean.getBoolean("troupe.llm.scalar")) {
        try {
          return (Kernels) Class.forName("io.troupe.llm.kernels.VectorKernels").getDeclaredConstructor()
              .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
          return new ScalarKernels();
        }
      }
      return new ScalarKernels();
    }
  }
}
