package io.troupe.llm.spi;

/**
 * How one rank talks to its peers. The cluster runtime implements this over its transport; tests use
 * {@code io.troupe.llm.parallel.InProcessRankGroup}. Every operation has a deadline fixed by the
 * implementation and throws {@link RankFailureException} when it passes, when a peer failed or when
 * a message of another epoch arrives — never blocks forever.
 *
 * <p>Threading: one rank calls its transport from one thread at a time (its step thread).
 */
public interface RankTransport {
  /** This rank's identity. */
  RankSpec self();

  /**
   * Sums {@code buf[off, off+len)} element-wise over the tensor-parallel group of this pipeline stage;
   * afterwards every member holds the same sum (same summation order on every member).
   */
  void allReduceSum(float[] buf, int off, int len);

  /** Sends a micro-batch's hidden states to the same tp rank of the next pipeline stage. */
  void sendActivations(long stepId, int microBatch, float[] hidden);

  /** Receives a micro-batch's hidden states from the same tp rank of the previous stage. */
  float[] recvActivations(long stepId, int microBatch);

  /** A transport for a lone rank (tp=1, pp=1): all-reduce is the identity, there are no peers. */
  static RankTransport single() {
    return new RankTransport() {
      @Override
      public RankSpec self() {
        return RankSpec.single();
      }

      @Override
      public void allReduceSum(float[] buf, int off, int len) {}

      @Override
      public void sendActivations(long stepId, int microBatch, float[] hidden) {
        throw new IllegalStateException("a single rank has no next stage");
      }

      @Override
      public float[] recvActivations(long stepId, int microBatch) {
        throw new IllegalStateException("a single rank has no previous stage");
      }
    };
  }
}
