package io.troupe.llm.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-tiled matrix products on the Vector API, behind {@link VectorKernels#matmulF32} and
 * {@link VectorKernels#matmulQ8}.
 *
 * <p>The micro-kernel computes a tile of 4 weight rows x 4 tokens with 16 vector accumulators: each weight
 * vector loaded is used for 4 tokens and each activation vector for 4 rows (8 loads per 16 FMAs instead
 * of 2 per 1). Leftover tokens use a 4 rows x 1 token kernel, which is also the batch-1 matrix-vector
 * product (4 independent FMA chains over 4 weight streams). Tokens are processed in blocks sized so a
 * block of activations stays in the L2 cache while the 4-row weight tiles stream past it.
 *
 * <p>Every output is a single accumulator per lane over the columns in order, reduced across lanes, then
 * the scalar tail: the same sum whichever kernel (4x4, 4x1 or the single-row remainder) computes it, so
 * results do not depend on how tokens are batched (the lane reduction's order is the JIT's choice, which
 * can differ between interpreted and compiled code while warming up). Stateless and thread-safe.
 */
final class VectorMatMul {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
  /** Bytes of activations per token block: about half of a typical per-core L2. */
  private static final int BLOCK_BYTES = 512 << 10;

  private VectorMatMul() {}

  /** Tokens per block for rows of {@code cols} floats: a multiple of 4 in [16, 64]. */
  static int tokenBlock(int cols) {
    int t = BLOCK_BYTES / (4 * Math.max(1, cols));
    return Math.max(16, Math.min(64, t)) & ~3;
  }

  static void f32(float[] w, int cols, int rowLo, int rowHi, float[] x, int xStride, int n, float[] out,
                  int outStride, int outOff) {
    int block = tokenBlock(cols);
    for (int t0 = 0; t0 < n; t0 += block) {
      int t1 = Math.min(n, t0 + block);
      int r = rowLo;
      for (; r + 4 <= rowHi; r += 4) {
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
          f32Tile4x4(w, cols, r, x, xStride, t, out, outStride, outOff);
        }
        for (; t < t1; t++) {
          f32Tile4x1(w, cols, r, x, t * xStride, out, t * outStride + outOff);
        }
      }
      for (; r < rowHi; r++) {
        for (int t = t0; t < t1; t++) {
          out[t * outStride + outOff + r] = f32Row(w, r * cols, x, t * xStride, cols);
        }
      }
    }
  }

  static void q8(byte[] q, float[] scales, int cols, int rowLo, int rowHi, float[] x, int xStride, int n,
                 float[] out, int outStride, int outOff) {
    int block = tokenBlock(cols);
    for (int t0 = 0; t0 < n; t0 += block) {
      int t1 = Math.min(n, t0 + block);
      int r = rowLo;
      for (; r + 4 <= rowHi; r += 4) {
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
          q8Tile4x4(q, scales, cols, r, x, xStride, t, out, outStride, outOff);
        }
        for (; t < t1; t++) {
          q8Tile4x1(q, scales, cols, r, x, t * xStride, out, t * outStride + outOff);
        }
      }
      for (; r < rowHi; r++) {
        for (int t = t0; t < t1; t++) {
          out[t * outStride + outOff + r] = scales[r] * q8Row(q, r * cols, x, t * xStride, cols);
        }
      }
    }
  }

  // ---- 16-bit (bfloat16 / float16), widened per 4-row tile ----

  private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[0]);

  /**
   * Rows {@code [rowLo, rowHi)} of a 16-bit matrix product: each 4-row tile is widened to float32 into a
   * per-thread scratch tile (in L1/L2) and multiplied against all {@code n} tokens with the float32 micro-kernels
   * before the next tile is read, so the weights stream from memory once per call whatever {@code n}. Sums are
   * the float32 kernels' sums over the widened values (same results as an F32 matrix of those values).
   */
  static void half(Half16Matrix m, int rowLo, int rowHi, float[] x, int xStride, int n, float[] out, int outStride,
                   int outOff) {
    int cols = m.cols();
    float[] tile = TILE.get();
    if (tile.length < 4 * cols) {
      tile = new float[4 * cols];
      TILE.set(tile);
    }
    int r = rowLo;
    for (; r + 4 <= rowHi; r += 4) {
      widen(m, r * cols, 4 * cols, tile);
      int t = 0;
      for (; t + 4 <= n; t += 4) {
        f32Tile4x4(tile, 0, cols, r, x, xStride, t, out, outStride, outOff);
      }
      for (; t < n; t++) {
        f32Tile4x1(tile, 0, cols, r, x, t * xStride, out, t * outStride + outOff);
      }
    }
    for (; r < rowHi; r++) {
      widen(m, r * cols, cols, tile);
      for (int t = 0; t < n; t++) {
        out[t * outStride + outOff + r] = f32Row(tile, 0, x, t * xStride, cols);
      }
    }
  }

  private static void widen(Half16Matrix m, int from, int count, float[] tile) {
    if (!m.bf16()) {
      m.widen(from, count, tile, 0);
      return;
    }
    short[] d = m.data();
    int upper = S.loopBound(count);
    int i = 0;
    for (; i < upper; i += S.length()) {
      ShortVector sv = ShortVector.fromArray(S, d, from + i);
      IntVector iv = (IntVector) sv.convertShape(VectorOperators.S2I, I, 0);
      iv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(tile, i);
    }
    m.widen(from + i, count - i, tile, i);
  }

  // ---- float32 ----

  private static void f32Tile4x4(float[] w, int cols, int r, float[] x, int xStride, int t, float[] out,
                                 int outStride, int outOff) {
    f32Tile4x4(w, r * cols, cols, r, x, xStride, t, out, outStride, outOff);
  }

  /** Rows {@code r..r+3} of the output from 4 weight rows starting at {@code w0} in {@code w}. */
  private static void f32Tile4x4(float[] w, int w0, int cols, int r, float[] x, int xStride, int t, float[] out,
                                 int outStride, int outOff) {
    int w1 = w0 + cols;
    int w2 = w1 + cols;
    int w3 = w2 + cols;
    int x0 = t * xStride;
    int x1 = x0 + xStride;
    int x2 = x1 + xStride;
    int x3 = x2 + xStride;
    FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
    FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    int upper = F.loopBound(cols);
    for (int c = 0; c < upper; c += F.length()) {
      FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
      FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
      FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
      FloatVector v3 = FloatVector.fromArray(F, x, x3 + c);
      FloatVector m = FloatVector.fromArray(F, w, w0 + c);
      a00 = m.fma(v0, a00);
      a01 = m.fma(v1, a01);
      a02 = m.fma(v2, a02);
      a03 = m.fma(v3, a03);
      m = FloatVector.fromArray(F, w, w1 + c);
      a10 = m.fma(v0, a10);
      a11 = m.fma(v1, a11);
      a12 = m.fma(v2, a12);
      a13 = m.fma(v3, a13);
      m = FloatVector.fromArray(F, w, w2 + c);
      a20 = m.fma(v0, a20);
      a21 = m.fma(v1, a21);
      a22 = m.fma(v2, a22);
      a23 = m.fma(v3, a23);
      m = FloatVector.fromArray(F, w, w3 + c);
      a30 = m.fma(v0, a30);
      a31 = m.fma(v1, a31);
      a32 = m.fma(v2, a32);
      a33 = m.fma(v3, a33);
    }
    int o = t * outStride + outOff + r;
    store(out, o, a00, a10, a20, a30, w, w0, cols, x, x0, upper);
    store(out, o + outStride, a01, a11, a21, a31, w, w0, cols, x, x1, upper);
    store(out, o + 2 * outStride, a02, a12, a22, a32, w, w0, cols, x, x2, upper);
    store(out, o + 3 * outStride, a03, a13, a23, a33, w, w0, cols, x, x3, upper);
  }

  private static void f32Tile4x1(float[] w, int cols, int r, float[] x, int x0, float[] out, int o) {
    f32Tile4x1(w, r * cols, cols, r, x, x0, out, o);
  }

  private static void f32Tile4x1(float[] w, int w0, int cols, int r, float[] x, int x0, float[] out, int o) {
    int w1 = w0 + cols;
    int w2 = w1 + cols;
    int w3 = w2 + cols;
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    int upper = F.loopBound(cols);
    for (int c = 0; c < upper; c += F.length()) {
      FloatVector v = FloatVector.fromArray(F, x, x0 + c);
      a0 = FloatVector.fromArray(F, w, w0 + c).fma(v, a0);
      a1 = FloatVector.fromArray(F, w, w1 + c).fma(v, a1);
      a2 = FloatVector.fromArray(F, w, w2 + c).fma(v, a2);
      a3 = FloatVector.fromArray(F, w, w3 + c).fma(v, a3);
    }
    store(out, o + r, a0, a1, a2, a3, w, w0, cols, x, x0, upper);
  }

  /** Reduces the four row accumulators of one token, adds the scalar tails and writes 4 outputs. */
  private static void store(float[] out, int o, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3,
                            float[] w, int w0, int cols, float[] x, int x0, int upper) {
    out[o] = a0.reduceLanes(VectorOperators.ADD) + tail(w, w0, x, x0, upper, cols);
    out[o + 1] = a1.reduceLanes(VectorOperators.ADD) + tail(w, w0 + cols, x, x0, upper, cols);
    out[o + 2] = a2.reduceLanes(VectorOperators.ADD) + tail(w, w0 + 2 * cols, x, x0, upper, cols);
    out[o + 3] = a3.reduceLanes(VectorOperators.ADD) + tail(w, w0 + 3 * cols, x, x0, upper, cols);
  }

  private static float tail(float[] w, int w0, float[] x, int x0, int from, int cols) {
    float s = 0;
    for (int c = from; c < cols; c++) {
      s += w[w0 + c] * x[x0 + c];
    }
    return s;
  }

  private static float f32Row(float[] w, int w0, float[] x, int x0, int cols) {
    FloatVector a = FloatVector.zero(F);
    int upper = F.loopBound(cols);
    for (int c = 0; c < upper; c += F.length()) {
      a = FloatVector.fromArray(F, w, w0 + c).fma(FloatVector.fromArray(F, x, x0 + c), a);
    }
    return a.reduceLanes(VectorOperators.ADD) + tail(w, w0, x, x0, upper, cols);
  }

  // ---- int8 ----

  private static FloatVector bytes(byte[] q, int off) {
    return (FloatVector) ByteVector.fromArray(B, q, off).convertShape(VectorOperators.B2F, F, 0);
  }

  private static void q8Tile4x4(byte[] q, float[] scales, int cols, int r, float[] x, int xStride, int t,
                                float[] out, int outStride, int outOff) {
    int w0 = r * cols;
    int w1 = w0 + cols;
    int w2 = w1 + cols;
    int w3 = w2 + cols;
    int x0 = t * xStride;
    int x1 = x0 + xStride;
    int x2 = x1 + xStride;
    int x3 = x2 + xStride;
    FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
    FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
    int upper = F.loopBound(cols);
    for (int c = 0; c < upper; c += F.length()) {
      FloatVector v0 = FloatVector.fromArray(F, x, x0 + c);
      FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
      FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
      FloatVector v3 = FloatVector.fromArray(F, x, x3 + c);
      FloatVector m = bytes(q, w0 + c);
      a00 = m.fma(v0, a00);
      a01 = m.fma(v1, a01);
      a02 = m.fma(v2, a02);
      a03 = m.fma(v3, a03);
      m = bytes(q, w1 + c);
      a10 = m.fma(v0, a10);
      a11 = m.fma(v1, a11);
      a12 = m.fma(v2, a12);
      a13 = m.fma(v3, a13);
      m = bytes(q, w2 + c);
      a20 = m.fma(v0, a20);
      a21 = m.fma(v1, a21);
      a22 = m.fma(v2, a22);
      a23 = m.fma(v3, a23);
      m = bytes(q, w3 + c);
      a30 = m.fma(v0, a30);
      a31 = m.fma(v1, a31);
      a32 = m.fma(v2, a32);
      a33 = m.fma(v3, a33);
    }
    int o = t * outStride + outOff + r;
    storeQ8(out, o, scales, r, a00, a10, a20, a30, q, w0, cols, x, x0, upper);
    storeQ8(out, o + outStride, scales, r, a01, a11, a21, a31, q, w0, cols, x, x1, upper);
    storeQ8(out, o + 2 * outStride, scales, r, a02, a12, a22, a32, q, w0, cols, x, x2, upper);
    storeQ8(out, o + 3 * outStride, scales, r, a03, a13, a23, a33, q, w0, cols, x, x3, upper);
  }

  private static void q8Tile4x1(byte[] q, float[] scales, int cols, int r, float[] x, int x0, float[] out, int o) {
    int w0 = r * cols;
    int w1 = w0 + cols;
    int w2 = w1 + cols;
    int w3 = w2 + cols;
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    int upper = F.loopBound(cols);
    for (int c = 0; c < upper; c += F.length()) {
      FloatVector v = FloatVector.fromArray(F, x, x0 + c);
      a0 = bytes(q, w0 + c).fma(v, a0);
      a1 = bytes(q, w1 + c).fma(v, a1);
      a2 = bytes(q, w2 + c).fma(v, a2);
      a3 = bytes(q, w3 + c).fma(v, a3);
    }
    storeQ8(out, o + r, scales, r, a0, a1, a2, a3, q, w0, cols, x, x0, upper);
  }

  private static void storeQ8(float[] out, int o, float[] scales, int r, FloatVector a0, FloatVector a1,
                              FloatVector a2, FloatVector a3, byte[] q, int w0, int cols, float[] x, int x0,
                              int upper) {
    out[o] = scales[r] * (a0.reduceLanes(VectorOperators.ADD) + tailQ8(q, w0, x, x0, upper, cols));
    out[o + 1] = scales[r + 1] * (a1.reduceLanes(VectorOperators.ADD) + tailQ8(q, w0 + cols, x, x0, upper, cols));
    out[o + 2] = scales[r + 2] * (a2.reduceLanes(VectorOperators.ADD)
        + tailQ8(q, w0 + 2 * cols, x, x0, upper, cols));
    out[o + 3] = scales[r + 3] * (a3.reduceLanes(VectorOperators.ADD)
        + tailQ8(q, w0 + 3 * cols, x, x0, upper, cols));
  }

  private static float tailQ8(byte[] q, int w0, float[] x, int x0, int from, int cols) {
    float s = 0;
    for (int c = from; c < cols; c++) {
      s += q[w0 + c] * x[x0 + c];
    }
    return s;
  }

  private static float q8Row(byte[] q, int w0, float[] x, int x0, int cols) {
    FloatVector a = FloatVector.zero(F);
    int upper = F.loopBound(cols);
    for (int c = 0; c < upper; c += F.length()) {
      a = bytes(q, w0 + c).fma(FloatVector.fromArray(F, x, x0 + c), a);
    }
    return a.reduceLanes(VectorOperators.ADD) + tailQ8(q, w0, x, x0, upper, cols);
  }
}
