package io.troupe.llm.kernels;

/**
 * A weight matrix stored row-major, {@code rows x cols}: row {@code r} holds the weights of output
 * {@code r} (the Hugging Face / PyTorch {@code [out_features, in_features]} layout). Immutable once
 * built; safe to read from many threads.
 */
public sealed interface Matrix permits F32Matrix, Half16Matrix, Q8Matrix {
  int rows();

  int cols();

  /** Bytes of weight data (what one pass over the matrix reads from memory). */
  long bytes();
}
