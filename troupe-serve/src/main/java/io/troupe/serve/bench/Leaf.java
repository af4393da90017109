package io.troupe.serve.bench;

/** Benchmark callee: {@link #node()} answers with the id of the node its replica runs on. */
public class Leaf {
  public Leaf() {
  }

  public String node() {
    return BenchNodes.current();
  }
}
