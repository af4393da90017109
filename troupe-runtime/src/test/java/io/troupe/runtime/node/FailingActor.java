package io.troupe.runtime.node;

/** Test actor whose constructor always throws. */
public class FailingActor {
  public FailingActor() {
    throw new IllegalStateException("boom");
  }
}
