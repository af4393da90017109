package io.troupe.serve.http;

import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.controller.RoutingTable;
import java.util.Optional;

/**
 * Where an {@link HttpProxy} gets its HTTP routes and routing tables: on the head straight from the
 * controller loop ({@link LoopProxyRoutes}), on other nodes from the node's cache of the routes
 * actor ({@link CachedProxyRoutes}), which keeps routing while the head is down.
 *
 * <p><b>Threading.</b> Implementations are thread-safe; the change listener runs on the source's
 * thread and must not block.
 */
interface ProxyRoutes extends AutoCloseable {
  /** The applications' HTTP routes; empty while this source has never heard from the controller. */
  Optional<RouteTable> httpRoutes();

  /** The routing table of {@code id}; empty when the controller does not (or no longer) know it. */
  Optional<RoutingTable> table(DeploymentId id);

  /** {@code onChange} runs after the routes or tables may have changed. */
  void onChange(Runnable onChange);

  @Override
  default void close() {
  }
}
