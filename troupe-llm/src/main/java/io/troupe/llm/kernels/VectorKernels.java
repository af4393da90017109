package io.troupe.llm.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Panama Vector API at the platform's preferred width. Only loaded through
 * {@link Kernels#best()} when {@code jdk.incubator.vector} is present.
 */
final class VectorKernels implements Kernels {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int step = F.length();
    int upper = n - n % (2 * step);
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += 2 * step) {
      acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
      acc1 = FloatVector.fromArray(F, a, aOff + i + step).fma(FloatVector.fromArray(F, b, bOff + i + step), acc1);
    }
    float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += a[aOff + i] * b[bOff + i];
    }
    return s;
  }

  @Override
  public float dotQ8(byte[] q, int qOff, float[] x, int xOff, int n) {
    int step = F.length();
    int upper = n - n % step;
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += step) {
      FloatVector w = (FloatVector) ByteVector.fromArray(B, q, qOff + i).convertShape(VectorOperators.B2F, F, 0);
      acc = w.fma(FloatVector.fromArray(F, x, xOff + i), acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += q[qOff + i] * x[xOff + i];
    }
    return s;
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    int step = F.length();
    int upper = n - n % step;
    FloatVector av = FloatVector.broadcast(F, a);
    int i = 0;
    for (; i < upper; i += step) {
      FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }

  @Override
  public void matmulF32(float[] w, int cols, int rowLo, int rowHi, float[] x, int xStride, int n, float[] out,
                        int outStride, int outOff) {
    VectorMatMul.f32(w, cols, rowLo, rowHi, x, xStride, n, out, outStride, outOff);
  }

  @Override
  public void matmulQ8(byte[] q, float[] scales, int cols, int rowLo, int rowHi, float[] x, int xStride, int n,
                       float[] out, int outStride, int outOff) {
    VectorMatMul.q8(q, scales, cols, rowLo, rowHi, x, xStride, n, out, outStride, outOff);
  }

  @Override
  public void matmulHalf(Half16Matrix w, int rowLo, int rowHi, float[] x, int xStride, int n, float[] out,
                         int outStride, int outOff) {
    VectorMatMul.half(w, rowLo, rowHi, x, xStride, n, out, outStride, outOff);
  }

  @Override
  public String name() {
    return "vector(" + F.vectorBitSize() + "-bit)";
  }
}
