package io.troupe.llm.model;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name        tensor name
 * @param dtype       element type
 * @param shape       dimensions, outermost first
 * @param dataStart   byte offset of the first element, relative to the start of the data section
 * @param dataEnd     byte offset one past the last element
 */
public record TensorInfo(String name, DType dtype, long[] shape, long dataStart, long dataEnd) {

  public TensorInfo {
    shape = shape.clone();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    if (dataEnd - dataStart != count * dtype.bytes()) {
      throw new IllegalArgumentException("tensor " + name + ": data_offsets span " + (dataEnd - dataStart)
          + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + count * dtype.bytes());
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Size of the outermost dimension (1 for a scalar). */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** Elements per outermost row. */
  public long rowLength() {
    return shape.length == 0 ? 1 : elementCount() / shape[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape)
        && t.dataStart == dataStart && t.dataEnd == dataEnd;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + dtype + Arrays.toString(shape);
  }
}
