package io.troupe.runtime.spi;

import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.Troupe;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a layer above the runtime (serving, for one) adds to a node: REST routes on the head and services
 * that live as long as the node. Passed in {@link NodeConfig#extensions()} — there is no process-wide
 * registry: a node runs exactly the extensions its config names, so nodes of one JVM (a
 * {@link io.troupe.runtime.api.LocalCluster}) can differ.
 *
 * <p><b>Lifecycle.</b> Once the node has joined the cluster and registered with the control service,
 * each extension is {@linkplain #attach attached} in config order, before the head's REST API starts
 * (which then serves every attachment's {@link Attachment#restRoutes()}). An attach that throws fails the
 * node's start: attachments made so far are closed and the node stops, never half-started. When the node
 * closes, attachments are closed first, in reverse order, while the node is still in the cluster.
 */
public interface NodeExtension {

  /** A short name for logs and errors, e.g. {@code "serve"}. */
  String name();

  /** Starts this extension on {@code node}; called once per node, from the thread starting the node. */
  Attachment attach(Node node);

  /**
   * The node an extension attaches to.
   *
   * @param nodeId the node's id
   * @param head whether it is the head (runs the control service and, unless disabled, the REST API)
   * @param troupe a client of the cluster running through this node; its {@link Troupe#nodeServices()}
   *     hold the layer's per-node objects
   */
  record Node(NodeId nodeId, boolean head, Troupe troupe) {
  }

  /** What an extension runs on one node. */
  interface Attachment extends AutoCloseable {
    /** Routes for the head's REST API (ignored on other nodes and on a head without one). */
    default List<Consumer<HttpRouting.Builder>> restRoutes() {
      return List.of();
    }

    /** Stops what the extension runs on the node; must not throw. */
    @Override
    void close();
  }
}
