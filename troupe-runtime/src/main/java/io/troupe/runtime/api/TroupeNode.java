package io.troupe.runtime.api;

import io.troupe.runtime.cluster.NodeProcess;
import java.util.concurrent.CompletionStage;

/**
 * A running Troupe node inside this JVM: a member of the Pekko cluster with a node agent, and on
 * the head also the control service and the REST API.
 *
 * <p>{@link #start} returns once the node has joined the cluster and registered with the control
 * service, or throws a {@link TroupeException} with a one-line reason (port in use, no head at the
 * address, ...) after releasing everything it had started — never a half-started node.
 */
public interface TroupeNode extends AutoCloseable {

  static TroupeNode start(NodeConfig config) {
    return NodeProcess.start(config);
  }

  NodeId nodeId();

  boolean isHead();

  /** Cluster address {@code host:port} that workers join. */
  String address();

  /** Base URL of the REST API, e.g. {@code http://127.0.0.1:8265}; null on workers. */
  String dashboardUrl();

  /** The resources this node offers (after detection and overrides). */
  ResourceSet resources();

  /** A client of the cluster that runs its calls through this node. */
  Troupe client();

  /**
   * This node's meter registry (served at {@code /metrics}); see {@link NodeMetrics}. The default
   * looks it up by {@link #nodeId()}.
   */
  default NodeMetrics metrics() {
    return NodeMetrics.of(nodeId()).orElseThrow(() -> new TroupeException("node " + nodeId() + " has no metrics"));
  }

  /**
   * URL of this node's {@code /metrics}: its own metrics server when {@code NodeConfig.metricsPort}
   * is set, else the head's REST API; null on a worker without a metrics server.
   */
  default String metricsUrl() {
    return dashboardUrl() == null ? null : dashboardUrl() + "/metrics";
  }

  /** Completes when the node has stopped (closed, or removed from the cluster). */
  CompletionStage<Void> whenTerminated();

  /** Leaves the cluster gracefully and stops; idempotent. */
  @Override
  void close();
}
