package io.troupe.llm.kernels;

/**
 * A matrix kept in 16 bits, as the checkpoint stores it: bfloat16 (the top half of a float32) or IEEE float16,
 * {@code rows x cols} row-major in {@code data}. Half the memory of {@link F32Matrix}; the kernels widen it to
 * float32 one 4-row tile at a time (in cache) and multiply the tile against every token of the step.
 */
public record Half16Matrix(int rows, int cols, short[] data, boolean bf16) implements Matrix {
  public Half16Matrix {
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException("matrix " + rows + "x" + cols + " needs " + (long) rows * cols
          + " values, got " + data.length);
    }
  }

  /** The float value of element {@code i}. */
  public float get(int i) {
    return bf16 ? Float.intBitsToFloat((data[i] & 0xffff) << 16) : Float.float16ToFloat(data[i]);
  }

  /** Widens {@code count} elements from {@code from} into {@code out[outOff...]}. */
  public void widen(int from, int count, float[] out, int outOff) {
    if (bf16) {
      for (int i = 0; i < count; i++) {
        out[outOff + i] = Float.intBitsToFloat((data[from + i] & 0xffff) << 16);
      }
    } else {
      for (int i = 0; i < count; i++) {
        out[outOff + i] = Float.float16ToFloat(data[from + i]);
      }
    }
  }

  /** Rounds floats to bfloat16 (nearest even) or float16. */
  public static Half16Matrix of(int rows, int cols, float[] w, boolean bf16) {
    short[] d = new short[w.length];
    for (int i = 0; i < w.length; i++) {
      d[i] = bf16 ? toBf16(w[i]) : Float.floatToFloat16(w[i]);
    }
    return new Half16Matrix(rows, cols, d, bf16);
  }

  /** Float to bfloat16 bits with round-to-nearest-even. */
  public static short toBf16(float f) {
    if (Float.isNaN(f)) {
      return (short) 0x7fc0;
    }
    int bits = Float.floatToRawIntBits(f);
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  @Override
  public long bytes() {
    return 2L * data.length;
  }
}
