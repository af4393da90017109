package io.troupe.bench.serve;

/** The last deployment of the benchmark chain. */
public class ChainEnd {
  public ChainEnd() {
  }

  public String hop() {
    return BenchNodes.current();
  }
}
