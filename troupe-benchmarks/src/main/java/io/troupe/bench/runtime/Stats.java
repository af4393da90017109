package io.troupe.bench.runtime;

import java.util.Arrays;

/** Percentiles over samples (benchmarks report medians and ratios, never one run). */
final class Stats {
  private Stats() {}

  static double percentile(double[] values, double p) {
    double[] v = values.clone();
    Arrays.sort(v);
    int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, i))];
  }

  static double median(double[] values) {
    return percentile(values, 50);
  }
}
