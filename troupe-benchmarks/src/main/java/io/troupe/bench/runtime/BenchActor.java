package io.troupe.bench.runtime;

/** A no-op actor for benchmarks. */
public class BenchActor {
  public BenchActor() {}

  public int ping(Integer x) {
    return x;
  }
}
