package io.troupe.bench.serve;

import java.util.Arrays;
import java.util.List;

/** Percentiles and medians for the benchmark's printouts. */
final class Stats {
  private Stats() {
  }

  /** One measured round: throughput and latency percentiles (µs). */
  record Sample(double perSecond, double p50Us, double p99Us, int errors) {
    static Sample of(long[] latNanos, long wallNanos, int errors) {
      long[] s = latNanos.clone();
      Arrays.sort(s);
      return new Sample(s.length / (wallNanos / 1e9), pct(s, 50) / 1e3, pct(s, 99) / 1e3, errors);
    }

    @Override
    public String toString() {
      return String.format("%,.0f/s p50 %,.0f us p99 %,.0f us%s", perSecond, p50Us, p99Us,
          errors == 0 ? "" : " errors " + errors);
    }
  }

  static long pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static double median(List<Double> xs) {
    double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The median of each field over rounds. */
  static Sample median(List<Sample> rounds, String label) {
    Sample m = new Sample(median(rounds.stream().map(Sample::perSecond).toList()),
        median(rounds.stream().map(Sample::p50Us).toList()), median(rounds.stream().map(Sample::p99Us).toList()),
        rounds.stream().mapToInt(Sample::errors).sum());
    System.out.printf("  %-28s median %s   (rounds: %s)%n", label, m, rounds);
    return m;
  }
}
