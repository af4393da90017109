package io.troupe.serve.autoscaling;

import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.spi.AutoscalingContext.LoadSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The controller's record of reported load (Ray Serve's {@code AutoscalingState} metrics store): per
 * deployment, per reporter, the samples of the last look-back period. {@link #aggregate} drops samples
 * older than {@code look_back_period_s} and reporters that went silent (no report for
 * {@code max(2 * metrics_interval_s, minStaleAfter)}: a dead proxy or node), aggregates each remaining
 * reporter's samples with the deployment's {@code aggregation_function} (mean by default) and sums over
 * reporters. A reporter with no sample inside the window but not yet stale counts with its newest one.
 *
 * <p><b>Threading.</b> Not thread-safe; the controller's thread owns it. Times are the controller's.
 */
public final class LoadMetrics {
  /** Ray's {@code RAY_SERVE_MIN_HANDLE_METRICS_TIMEOUT_S}. */
  public static final Duration DEFAULT_MIN_STALE_AFTER = Duration.ofSeconds(10);

  /** The deployment's load now and the samples behind it. */
  public record Aggregate(double totalOngoingRequests, List<LoadSample> history, int reporters) {
  }

  private final Duration minStaleAfter;
  private final Map<DeploymentId, Map<String, ArrayDeque<LoadSample>>> samples = new HashMap<>();

  public LoadMetrics(Duration minStaleAfter) {
    this.minStaleAfter = minStaleAfter;
  }

  /** Records one sample; samples of a reporter older than its newest are ignored (reordered reports). */
  public void record(DeploymentId deployment, String reporter, Instant at, double ongoingRequests) {
    if (!(ongoingRequests >= 0) || Double.isInfinite(ongoingRequests)) {
      return;
    }
    ArrayDeque<LoadSample> q = samples.computeIfAbsent(deployment, k -> new HashMap<>())
        .computeIfAbsent(reporter, k -> new ArrayDeque<>());
    if (!q.isEmpty() && at.isBefore(q.peekLast().at())) {
      return;
    }
    q.addLast(new LoadSample(at, reporter, ongoingRequests));
    if (q.size() > 10_000) {
      q.removeFirst(); // a reporter far faster than the window needs; keep memory bounded
    }
  }

  /**
   * The deployment's aggregated load at {@code now}, or empty when no live reporter has reported.
   * {@code live} says whether a reporter still belongs to the deployment (a stopped replica does not).
   */
  public Optional<Aggregate> aggregate(DeploymentId deployment, AutoscalingConfig c, Instant now,
      Predicate<String> live) {
    Map<String, ArrayDeque<LoadSample>> byReporter = samples.get(deployment);
    if (byReporter == null) {
      return Optional.empty();
    }
    Duration staleAfter = c.metricsInterval().multipliedBy(2);
    if (staleAfter.compareTo(minStaleAfter) < 0) {
      staleAfter = minStaleAfter;
    }
    Instant windowStart = now.minus(c.lookBackPeriod());
    Instant staleBefore = now.minus(staleAfter);
    double total = 0;
    List<LoadSample> history = new ArrayList<>();
    int reporters = 0;
    for (Iterator<Map.Entry<String, ArrayDeque<LoadSample>>> it = byReporter.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, ArrayDeque<LoadSample>> e = it.next();
      ArrayDeque<LoadSample> q = e.getValue();
      if (q.isEmpty() || q.peekLast().at().isBefore(staleBefore) || !live.test(e.getKey())) {
        it.remove();
        continue;
      }
      while (q.size() > 1 && q.peekFirst().at().isBefore(windowStart)) {
        q.removeFirst();
      }
      total += combine(c.aggregationFunction(), q);
      history.addAll(q);
      reporters++;
    }
    if (byReporter.isEmpty()) {
      samples.remove(deployment);
    }
    if (reporters == 0) {
      return Optional.empty();
    }
    if (reporters > 1) {
      history.sort(Comparator.comparing(LoadSample::at)); // each reporter's samples are in order already
    }
    return Optional.of(new Aggregate(total, history, reporters));
  }

  private static double combine(AutoscalingConfig.Aggregation f, ArrayDeque<LoadSample> q) {
    double acc = f == AutoscalingConfig.Aggregation.MIN ? Double.MAX_VALUE : 0;
    for (LoadSample s : q) {
      double v = s.ongoingRequests();
      acc = switch (f) {
        case MEAN -> acc + v;
        case MAX -> Math.max(acc, v);
        case MIN -> Math.min(acc, v);
      };
    }
    return f == AutoscalingConfig.Aggregation.MEAN ? acc / q.size() : acc;
  }

  /** Forgets a deleted deployment. */
  public void forget(DeploymentId deployment) {
    samples.remove(deployment);
  }

  /** Deployments with samples (for pruning deleted ones). */
  public java.util.Set<DeploymentId> deployments() {
    return java.util.Set.copyOf(samples.keySet());
  }
}
