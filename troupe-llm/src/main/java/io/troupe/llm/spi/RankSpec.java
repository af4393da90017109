package io.troupe.llm.spi;

/**
 * Identity of one rank of a model-parallel group: its tensor-parallel and pipeline-parallel
 * coordinates and the group's epoch (bumped every time the gang restarts; messages of other epochs
 * are fenced off).
 */
public record RankSpec(int tpRank, int tpSize, int ppRank, int ppSize, long epoch)
    implements java.io.Serializable {
  public RankSpec {
    if (tpSize < 1 || ppSize < 1 || tpRank < 0 || tpRank >= tpSize || ppRank < 0 || ppRank >= ppSize) {
      throw new IllegalArgumentException("bad rank tp=" + tpRank + "/" + tpSize + " pp=" + ppRank + "/" + ppSize);
    }
  }

  /** The only rank of an unsharded model. */
  public static RankSpec single() {
    return new RankSpec(0, 1, 0, 1, 0);
  }

  public boolean firstStage() {
    return ppRank == 0;
  }

  public boolean lastStage() {
    return ppRank == ppSize - 1;
  }

  /** First decoder layer of this stage (contiguous, near-equal ranges). */
  public int layerStart(int numLayers) {
    return (int) ((long) numLayers * ppRank / ppSize);
  }

  /** One past the last decoder layer of this stage. */
  public int layerEnd(int numLayers) {
    return (int) ((long) numLayers * (ppRank + 1) / ppSize);
  }

  /** Linear index, pipeline-major: {@code ppRank * tpSize + tpRank}. */
  public int index() {
    return ppRank * tpSize + tpRank;
  }

  @Override
  public String toString() {
    return "rank(tp=" + tpRank + "/" + tpSize + ", pp=" + ppRank + "/" + ppSize + ", epoch=" + epoch + ")";
  }
}
