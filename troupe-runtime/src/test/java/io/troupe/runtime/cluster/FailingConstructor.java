package io.troupe.runtime.cluster;

/** Test actor whose constructor always throws. */
public class FailingConstructor {
  public FailingConstructor() {
    throw new IllegalArgumentException("bad config");
  }
}
