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
 * <p><b>Finding it.</b> {@link TroupeNode#metrics()} from the node; {@link #of(NodeId)} by node id
 * (the runtime registers a node's registry when it starts and removes it when it closes); from
 * actor code, {@link #current()} (the node the calling actor runs on).
 *
 * <p><b>Components.</b> Higher layers keep their per-node meter holders here with
 * {@link #component}, so they live and die with the node instead of in static maps of their own.
 *
 * <p>Thread-safe (Micrometer registries are).
 */
public final class NodeMetrics implements AutoCloseable {
  /** Content type of {@link #scrape()}: the Prometheus text exposition format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Map<NodeId, NodeMetrics> NODES = new ConcurrentHashMap<>();

  private final NodeId node;
  private final PrometheusMeterRegistry registry;
  private final Map<Class<?>, Object> components = new ConcurrentHashMap<>();

  private NodeMetrics(NodeId node) {
    this.node = node;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", node.value());
  }

  /**
   * A registry for {@code node}, not registered anywhere (unit tests, embedded use). The runtime
   * uses {@link #open} instead.
   */
  public static NodeMetrics detached(NodeId node) {
    return new NodeMetrics(node);
  }

  /**
   * Creates the registry of a starting node and makes it findable by {@link #of}; a registry left
   * under the same id is closed. Called by the runtime once per node.
   */
  public static NodeMetrics open(NodeId node) {
    NodeMetrics m = new NodeMetrics(node);
    NodeMetrics prior = NODES.put(node, m);
    if (prior != null) {
      prior.close();
    }
    return m;
  }

  /** The registry of node {@code node} of this JVM, while it runs. */
  public static Optional<NodeMetrics> of(NodeId node) {
    return Optional.ofNullable(NODES.get(node));
  }

  /** The registry of the node the calling actor code runs on (empty outside actors). */
  public static Optional<NodeMetrics> current() {
    return ActorContext.current().flatMap(c -> of(c.nodeId()));
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

  /** Unregisters this registry (if it is the node's) and closes it; idempotent. */
  @Override
  public void close() {
    NODES.remove(node, this);
    registry.close();
  }
}
