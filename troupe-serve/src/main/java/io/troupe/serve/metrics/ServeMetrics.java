package io.troupe.serve.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serving's meters on one node's registry, named after Ray Serve's ({@code serve_*} →
 * {@code troupe_serve_*}) so its dashboards translate; see docs/metrics.md. One instance per node
 * ({@link #of(NodeId)} keeps it as a {@link NodeMetrics#component}); recorded by the HTTP proxy
 * ({@link #httpRequest}), the routers of callers ({@link #queuedQueries}) and replicas
 * ({@link #replica}). Latencies are in milliseconds with Ray's histogram buckets.
 *
 * <p>Thread-safe.
 */
public final class ServeMetrics {
  /** Histogram bucket bounds in ms (Ray Serve's default latency buckets). */
  static final double[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
      30000, 60000, 120000, 300000, 600000};

  private final MeterRegistry registry;
  private final Map<DeploymentId, AtomicInteger> queued = new ConcurrentHashMap<>();
  /** Requests executing at each replica of this node, for the autoscaling load reports. */
  private final Map<ReplicaId, Supplier<Number>> executing = new ConcurrentHashMap<>();

  ServeMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The node's instance, kept as a component of its {@link NodeMetrics}. */
  public static ServeMetrics of(NodeMetrics node) {
    return node.component(ServeMetrics.class, x -> new ServeMetrics(x.registry()));
  }

  /** Records into {@code registry} (tests). */
  public static ServeMetrics on(MeterRegistry registry) {
    return new ServeMetrics(registry);
  }

  /** Records nowhere (a component running without a node, e.g. a replica in a unit test). */
  public static ServeMetrics detached() {
    return new ServeMetrics(new CompositeMeterRegistry());
  }

  /**
   * One request answered by the proxy: {@code troupe_serve_num_http_requests_total},
   * {@code troupe_serve_http_request_latency_ms} and, for status ≥ 400,
   * {@code troupe_serve_num_http_error_requests_total}. {@code application} and {@code route} are
   * "" when no application matched (404).
   */
  public void httpRequest(String application, String route, String method, int status, double latencyMs) {
    Tags tags = Tags.of("application", application, "route", route, "method", method);
    String code = Integer.toString(status);
    Counter.builder("troupe.serve.num.http.requests").description("HTTP requests answered by the proxy")
        .tags(tags).tag("status_code", code).register(registry).increment();
    if (status >= 400) {
      Counter.builder("troupe.serve.num.http.error.requests")
          .description("HTTP requests the proxy answered with a 4xx or 5xx status")
          .tags(tags).tag("error_code", code).tag("status_class", status / 100 + "xx").register(registry).increment();
    }
    DistributionSummary.builder("troupe.serve.http.request.latency.ms")
        .description("End-to-end latency of HTTP requests at the proxy, in ms (to the end of a streamed body)")
        .tags(tags).tag("status_code", code).serviceLevelObjectives(LATENCY_BUCKETS_MS).register(registry)
        .record(latencyMs);
  }

  /**
   * The node's count of requests to {@code deployment} waiting in a router for a replica
   * ({@code troupe_serve_deployment_queued_queries}); every router of the deployment on this node
   * adds to the same counter.
   */
  public AtomicInteger queuedQueries(DeploymentId deployment) {
    return queued.computeIfAbsent(deployment, d -> {
      AtomicInteger n = new AtomicInteger();
      Gauge.builder("troupe.serve.deployment.queued.queries", n, AtomicInteger::get)
          .description("Requests waiting in this node's routers for a replica to be assigned")
          .tags("application", d.app(), "deployment", d.name()).strongReference(true).register(registry);
      return n;
    });
  }

  /** Requests waiting in this node's routers for a replica, per deployment, now (autoscaling load). */
  public Map<DeploymentId, Integer> queuedNow() {
    Map<DeploymentId, Integer> out = new java.util.HashMap<>();
    queued.forEach((d, n) -> out.put(d, n.get()));
    return out;
  }

  /** Requests executing at each replica on this node, now (autoscaling load). */
  public Map<ReplicaId, Integer> executingNow() {
    Map<ReplicaId, Integer> out = new java.util.HashMap<>();
    executing.forEach((r, n) -> out.put(r, n.get().intValue()));
    return out;
  }

  /**
   * The meters of one replica: {@code troupe_serve_replica_processing_queries} (read from
   * {@code ongoing}), {@code troupe_serve_deployment_replica_healthy} and
   * {@code troupe_serve_deployment_processing_latency_ms}. {@link Replica#close()} removes them.
   */
  public Replica replica(ReplicaId id, Supplier<Number> ongoing) {
    return new Replica(id, ongoing);
  }

  /** One replica's meters; thread-safe. */
  public final class Replica implements AutoCloseable {
    private final Tags tags;
    private final AtomicInteger healthy = new AtomicInteger(1);
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, DistributionSummary> latency = new ConcurrentHashMap<>();
    private final ReplicaId id;

    private Replica(ReplicaId id, Supplier<Number> ongoing) {
      this.id = id;
      executing.put(id, ongoing);
      this.tags = Tags.of("application", id.deployment().app(), "deployment", id.deployment().name(),
          "replica", id.toString());
      meters.add(Gauge.builder("troupe.serve.replica.processing.queries", ongoing, s -> s.get().doubleValue())
          .description("Requests this replica is executing now").tags(tags).strongReference(true).register(registry));
      meters.add(Gauge.builder("troupe.serve.deployment.replica.healthy", healthy, AtomicInteger::get)
          .description("1 when the replica's last health check passed, else 0").tags(tags).strongReference(true)
          .register(registry));
    }

    /** A request (HTTP via {@code route}, or "" for a handle call) finished executing after {@code ms}. */
    public void processed(String route, double ms) {
      latency.computeIfAbsent(route, r -> {
        DistributionSummary s = DistributionSummary.builder("troupe.serve.deployment.processing.latency.ms")
            .description("Time a replica spent executing a request, in ms (to the start of a streamed answer)")
            .tags(tags).tag("route", r).serviceLevelObjectives(LATENCY_BUCKETS_MS).register(registry);
        synchronized (meters) {
          meters.add(s);
        }
        return s;
      }).record(ms);
    }

    /** The outcome of the latest health check. */
    public void healthy(boolean ok) {
      healthy.set(ok ? 1 : 0);
    }

    /** Removes this replica's meters from the registry (the replica stopped). */
    @Override
    public void close() {
      executing.remove(id);
      synchronized (meters) {
        meters.forEach(registry::remove);
        meters.clear();
      }
    }
  }
}
