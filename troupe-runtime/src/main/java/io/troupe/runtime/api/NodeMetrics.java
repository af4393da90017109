package io.troupe.runtime.api;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The Prometheus meter registry of one node: everything recorded on the node (runtime gauges,
 * serving's proxy, router and replica metrics) goes here and is scraped at the node's
 * {@code /metrics}. One registry per node, so the nodes of an in-process {@link LocalCluster} stay
 * apart; every meter carries the common tag {@code node=<node id>}.
 *
 * <p><b>Finding it.</b> {@link TroupeNode#metrics()} from the node, {@link Troupe#metrics()} from a
 * client of it; from actor code, {@link #current()} (the node the calling actor runs on). There is no
 * lookup by node id: the registry belongs to its node.
 *
 * <p><b>Components.</b> Higher layers keep their per-node meter holders here with
 * {@link #component}, so they live and die with the node instead of in static maps of their own.
 *
 * <p>Thread-safe (Micrometer registries are).
 */
public final class NodeMetrics implements AutoCloseable {
  /** Content type of {@link #scrape()}: the Prometheus text exposition format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final NodeId node;
  private final PrometheusMeterRegistry registry;
  private final Map<Class<?>, Object> components = new ConcurrentHashMap<>();

  private NodeMetrics(NodeId node) {
    this.node = node;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", node.value());
  }

  /** A new registry for {@code node}; the runtime makes one per node, unit tests their own. */
  public static NodeMetrics create(NodeId node) {
    return new NodeMetrics(node);
  }

  /** The registry of the node the calling actor code runs on (empty outside actors). */
  public static Optional<NodeMetrics> current() {
    return ActorContext.current().map(c -> c.troupe().metrics());
  }

  public NodeId nodeId() {
    return node;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * The node's single instance of {@code type}, created by {@code create} on first use (e.g. a
   * layer's holder of meters that must be shared by everything on the node).
   */
  public <T> T component(Class<T> type, Function<NodeMetrics, T> create) {
    return type.cast(components.computeIfAbsent(type, k -> create.apply(this)));
  }

  /** Closes the registry; idempotent. */
  @Override
  public void close() {
    registry.close();
  }
}
