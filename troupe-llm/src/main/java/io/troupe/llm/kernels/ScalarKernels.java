package io.troupe.llm.kernels;

/** Plain-Java kernels: the fallback without the Vector API, and the reference in kernel tests. */
public final class ScalarKernels implements Kernels {
  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotQ8(byte[] q, int qOff, float[] x, int xOff, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) {
      s += q[qOff + i] * x[xOff + i];
    }
    return s;
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }

  @Override
  public String name() {
    return "scalar";
  }
}
