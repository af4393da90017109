package io.troupe.runtime.api;

import io.troupe.runtime.spi.NodeFactory;
import java.util.ServiceLoader;
import java.util.concurrent.CompletionStage;

/**
 * A running Troupe node inside this JVM: a member of the Pekko cluster with a node agent, and on
 * the head also the control service and the REST API.
 *
 * <p>{@link #start} returns once the node has joined the cluster and registered with the control
 * service, or throws a {@link TroupeException} with a one-line reason (port in use, no head at the
 * address, ...) after releasing everything it had started — never a half-started node. The node runs
 * the {@link io.troupe.runtime.spi.NodeExtension}s its config names (serving, for one), and nothing else.
 */
public interface TroupeNode extends AutoCloseable {

  /** Starts a node in this JVM (the runtime's {@link NodeFactory}). */
  static TroupeNode start(NodeConfig config) {
    NodeFactory factory = ServiceLoader.load(NodeFactory.class, TroupeNode.class.getClassLoader()).findFirst()
        .orElseThrow(() -> new TroupeException("no Troupe runtime on the class path (troupe-runtime's "
            + "META-INF/services/" + NodeFactory.class.getName() + " is missing)"));
    return factory.start(config);
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

  /** This node's meter registry (served at {@code /metrics}); see {@link NodeMetrics}. */
  NodeMetrics metrics();

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
