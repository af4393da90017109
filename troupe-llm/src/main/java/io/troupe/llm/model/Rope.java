package io.troupe.llm.model;

/**
 * Rotary position embedding in the Hugging Face "rotate half" layout: dimension {@code i} of a head is
 * paired with {@code i + headDim/2}. Frequencies follow {@code rope_theta} and, when configured, the
 * Llama-3 scaling of low frequencies or linear scaling. Immutable; thread-safe.
 */
public final class Rope {
  private final int half;
  private final double[] invFreq;

  public Rope(ModelConfig c) {
    this(c.headDim(), c.ropeTheta(), c.ropeScaling());
  }

  /** The RoPE of Gemma 3's sliding layers: their own base, no scaling. */
  public static Rope local(ModelConfig c) {
    return new Rope(c.headDim(), c.arch().localRopeTheta(), null);
  }

  /**
   * @param scaling null for none
   */
  public Rope(int headDim, double theta, ModelConfig.RopeScaling scaling) {
    this.half = headDim / 2;
    this.invFreq = new double[half];
    for (int i = 0; i < half; i++) {
      double f = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
      ModelConfig.RopeScaling s = scaling;
      if (s != null && s.type().equals("linear")) {
        f = f / s.factor();
      } else if (s != null) {
        double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
        double wavelen = 2 * Math.PI / f;
        if (wavelen > lowWavelen) {
          f = f / s.factor();
        } else if (wavelen >= highWavelen) {
          double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
              / (s.highFreqFactor() - s.lowFreqFactor());
          f = (1 - smooth) * f / s.factor() + smooth * f;
        }
      }
      invFreq[i] = f;
    }
  }

  /** Fills {@code cos[t*half + i]} and {@code sin[...]} for each position. */
  public void tables(int[] positions, float[] cos, float[] sin) {
    for (int t = 0; t < positions.length; t++) {
      for (int i = 0; i < half; i++) {
        double a = positions[t] * invFreq[i];
        cos[t * half + i] = (float) Math.cos(a);
        sin[t * half + i] = (float) Math.sin(a);
      }
    }
  }

  /** Rotates {@code heads} consecutive heads of width {@code 2*half} starting at {@code off}. */
  public void apply(float[] x, int off, int heads, float[] cos, float[] sin, int t) {
    int base = t * half;
    for (int h = 0; h < heads; h++) {
      int o = off + h * 2 * half;
      for (int i = 0; i < half; i++) {
        float a = x[o + i];
        float b = x[o + i + half];
        float c = cos[base + i];
        float s = sin[base + i];
        x[o + i] = a * c - b * s;
        x[o + i + half] = b * c + a * s;
      }
    }
  }

  public int half() {
    return half;
  }
}
