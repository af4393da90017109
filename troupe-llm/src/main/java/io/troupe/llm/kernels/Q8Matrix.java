package io.troupe.llm.kernels;

/**
 * An int8 matrix with one float scale per row: {@code w[r][c] ~= q[r*cols+c] * scales[r]}
 * (symmetric, absmax / 127). Built at load time from float weights.
 */
public record Q8Matrix(int rows, int cols, byte[] q, float[] scales) implements Matrix {
  public Q8Matrix {
    if ((long) rows * cols != q.length || scales.length != rows) {
      throw new IllegalArgumentException("bad Q8 matrix shape " + rows + "x" + cols);
    }
  }

  /** Quantizes {@code rows x cols} floats row by row. */
  public static Q8Matrix quantize(int rows, int cols, float[] w) {
    byte[] q = new byte[w.length];
    float[] scales = new float[rows];
    for (int r = 0; r < rows; r++) {
      float max = 0;
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, Math.abs(w[base + c]));
      }
      float scale = max == 0 ? 1f : max / 127f;
      scales[r] = scale;
      float inv = 1f / scale;
      for (int c = 0; c < cols; c++) {
        q[base + c] = (byte) Math.max(-127, Math.min(127, Math.round(w[base + c] * inv)));
      }
    }
    return new Q8Matrix(rows, cols, q, scales);
  }

  @Override
  public long bytes() {
    return q.length + 4L * scales.length;
  }
}
