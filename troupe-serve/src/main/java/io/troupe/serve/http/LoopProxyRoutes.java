package io.troupe.serve.http;

import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.cluster.ServeControllerLoop;
import io.troupe.serve.controller.RoutingTable;
import java.util.Optional;

/** {@link ProxyRoutes} of the head's proxy: the controller loop's latest snapshot, pushed on every tick. */
final class LoopProxyRoutes implements ProxyRoutes {
  private final ServeControllerLoop loop;

  LoopProxyRoutes(ServeControllerLoop loop) {
    this.loop = loop;
  }

  @Override
  public Optional<RouteTable> httpRoutes() {
    return loop.restored() ? Optional.of(RouteTable.of(loop.snapshot().status())) : Optional.empty();
  }

  @Override
  public Optional<RoutingTable> table(DeploymentId id) {
    return Optional.ofNullable(loop.snapshot().routingTables().get(id));
  }

  @Override
  public void onChange(Runnable onChange) {
    loop.addListener(s -> onChange.run());
  }
}
