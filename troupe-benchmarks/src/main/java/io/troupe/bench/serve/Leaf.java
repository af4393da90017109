package io.troupe.bench.serve;

/** Benchmark callee: {@link #node()} answers with the id of the node its replica runs on. */
public class Leaf {
  public Leaf() {
  }

  public String node() {
    return BenchNodes.current();
  }
}
