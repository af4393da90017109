package io.troupe.llm.kernels;

/** A float32 matrix; {@code data} is {@code rows x cols} row-major. */
public record F32Matrix(int rows, int cols, float[] data) implements Matrix {
  public F32Matrix {
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException("matrix " + rows + "x" + cols + " needs " + (long) rows * cols
          + " values, got " + data.length);
    }
  }

  @Override
  public long bytes() {
    return 4L * data.length;
  }
}
