package io.troupe.serve.http;

import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.cluster.RoutesActor;
import io.troupe.serve.cluster.RoutesClient;
import io.troupe.serve.controller.RoutingTable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link ProxyRoutes} of a proxy on a node other than the head: the node's {@link RoutesClient}
 * cache of the routes actor, refreshed every {@code period} by a daemon thread (so routers learn of
 * new and dead replicas without waiting for traffic). When the head is down the fetches fail and
 * the proxy keeps the routes and tables it last saw.
 */
final class CachedProxyRoutes implements ProxyRoutes {
  private final RoutesClient client;
  private final ScheduledExecutorService refresher;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Consumer<RoutesActor.Snapshot> listener = s -> listeners.forEach(Runnable::run);

  CachedProxyRoutes(RoutesClient client, Duration period) {
    this.client = client;
    client.addListener(listener);
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-proxy-routes");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(() -> {
      try {
        client.refreshIfStale();
      } catch (RuntimeException e) {
        // the next round tries again; the cache stays
      }
    }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Optional<RouteTable> httpRoutes() {
    return client.cached().map(s -> new RouteTable(s.http().stream()
        .map(h -> new RouteTable.Route(h.prefix(), h.app(), new DeploymentId(h.app(), h.ingress()))).toList()));
  }

  @Override
  public Optional<RoutingTable> table(DeploymentId id) {
    return client.cached().flatMap(s -> RoutesClient.table(s, id));
  }

  @Override
  public void onChange(Runnable onChange) {
    listeners.add(onChange);
  }

  @Override
  public void close() {
    client.removeListener(listener);
    refresher.shutdownNow();
  }
}
