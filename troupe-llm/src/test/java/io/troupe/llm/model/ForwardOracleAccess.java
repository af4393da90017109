package io.troupe.llm.model;

import io.troupe.llm.kernels.MatMul;
import java.nio.file.Path;

/** Public access to {@link ForwardOracleTest}'s comparison for tests in other packages. */
public final class ForwardOracleAccess {
  private ForwardOracleAccess() {}

  public static double maxError(Path dir, MatMul mm, WeightType type, double[][] ref, int chunk, int[] prompt) {
    return ForwardOracleTest.maxError(dir, mm, type, ref, chunk, prompt);
  }

  public static double diff(double[] got, double[] want) {
    float[] f = new float[got.length];
    double max = 1;
    for (double v : want) {
      max = Math.max(max, Math.abs(v));
    }
    double d = 0;
    for (int i = 0; i < want.length; i++) {
      d = Math.max(d, Math.abs(got[i] - want[i]));
    }
    return d / max;
  }
}
