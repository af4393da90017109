package io.troupe.serve.cluster;

import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one node reports for autoscaling, as a pure step function (the {@link LoadReporter} drives it on a
 * timer). Each {@link #sample} adds, for every autoscaling deployment the node knows a routing table of, the
 * requests waiting in this node's routers for a replica (reporter {@code caller:<node>}, only what callers know)
 * and the requests executing at each of its replicas on this node ({@code replica:<id>}, only what replicas
 * know) — so nothing is counted twice. A deployment's means since its last report leave in a
 * {@link LoadReport} once its {@code metrics_interval_s} has passed, or at once when requests wait for a
 * deployment without replicas (scale from zero must not wait for the interval).
 *
 * <p><b>Threading.</b> Not thread-safe; one timer thread owns it. Time is passed in (nanos).
 */
public final class LoadSampler {
  /** The least time between two reports of one deployment, even for a cold start. */
  static final long MIN_REPORT_GAP_NANOS = 50_000_000L;

  /** What the node's routing tables say of one deployment: its report interval and whether it has replicas. */
  public record Known(long metricsIntervalMs, boolean hasReplicas) {
  }

  private final String callerReporter;
  private final Map<DeploymentId, Map<String, double[]>> sums = new HashMap<>();
  private final Map<DeploymentId, Long> lastReport = new HashMap<>();

  public LoadSampler(String node) {
    this.callerReporter = "caller:" + node;
  }

  /**
   * One sample at {@code nowNanos}; returns the report to send now, if any.
   *
   * @param known autoscaling deployments from the routing tables (interval > 0)
   * @param queued requests waiting in this node's routers, per deployment
   * @param executing requests executing at this node's replicas
   */
  public Optional<LoadReport> sample(long nowNanos, Map<DeploymentId, Known> known, Map<DeploymentId, Integer> queued,
      Map<ReplicaId, Integer> executing) {
    sums.keySet().retainAll(known.keySet());
    lastReport.keySet().retainAll(known.keySet());
    for (Map.Entry<DeploymentId, Integer> q : queued.entrySet()) {
      if (known.containsKey(q.getKey())) {
        add(q.getKey(), callerReporter, q.getValue());
      }
    }
    for (Map.Entry<ReplicaId, Integer> e : executing.entrySet()) {
      DeploymentId d = e.getKey().deployment();
      if (known.containsKey(d)) {
        add(d, "replica:" + e.getKey(), e.getValue());
      }
    }
    List<LoadReport.Entry> out = new ArrayList<>();
    for (Map.Entry<DeploymentId, Map<String, double[]>> d : sums.entrySet()) {
      Known k = known.get(d.getKey());
      Long last = lastReport.get(d.getKey());
      long since = last == null ? Long.MAX_VALUE : nowNanos - last;
      boolean due = since >= k.metricsIntervalMs() * 1_000_000L;
      boolean coldStart = !k.hasReplicas() && queued.getOrDefault(d.getKey(), 0) > 0 && since >= MIN_REPORT_GAP_NANOS;
      if (!due && !coldStart) {
        continue;
      }
      d.getValue().forEach((reporter, sc) -> out.add(new LoadReport.Entry(d.getKey().toString(), reporter,
          sc[0] / sc[1])));
      d.getValue().clear();
      lastReport.put(d.getKey(), nowNanos);
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(new LoadReport(out));
  }

  private void add(DeploymentId d, String reporter, int value) {
    double[] sc = sums.computeIfAbsent(d, k -> new HashMap<>()).computeIfAbsent(reporter, k -> new double[2]);
    sc[0] += value;
    sc[1]++;
  }

  /** Parses {@code DeploymentId.toString()} ({@code app#name}); empty for anything else. */
  public static Optional<DeploymentId> parseDeployment(String s) {
    int i = s.indexOf('#');
    return i <= 0 || i == s.length() - 1 ? Optional.empty() : Optional.of(new DeploymentId(s.substring(0, i),
        s.substring(i + 1)));
  }
}
