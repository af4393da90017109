package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.controller.RoutingTable;
import io.troupe.serve.controller.ServeStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * On the head: creates (or finds) the {@link RoutesActor} and sends it the controller's routing
 * tables whenever they change, and again every {@link #REPUBLISH_NANOS} in case the actor was
 * re-created. Listens to the {@link ServeControllerLoop}; never blocks its thread (actor creation
 * runs on a virtual thread; publishes are fire-and-forget, ordered by version).
 */
public final class RoutesPublisher {
  private static final System.Logger LOG = System.getLogger(RoutesPublisher.class.getName());
  static final long REPUBLISH_NANOS = 5_000_000_000L;

  private final Troupe troupe;
  private final AtomicBoolean creating = new AtomicBoolean();
  private volatile ActorHandle<RoutesActor> actor;
  private Map<String, RoutesActor.Route> last;
  private List<RoutesActor.HttpRoute> lastHttp;
  private long version;
  private long sentAt;

  public RoutesPublisher(Troupe troupe, ServeControllerLoop loop) {
    this.troupe = troupe;
    loop.addListener(this::onSnapshot);
  }

  /** On the controller's thread. */
  private void onSnapshot(ServeControllerLoop.Snapshot s) {
    Map<String, RoutesActor.Route> routes = new LinkedHashMap<>();
    s.routingTables().forEach((id, t) -> routes.put(id.toString(), toRoute(t)));
    List<RoutesActor.HttpRoute> http = httpRoutes(s.status());
    ActorHandle<RoutesActor> h = actor;
    if (h == null) {
      ensureActor();
      last = null; // send once the actor exists
      return;
    }
    long now = System.nanoTime();
    if (routes.equals(last) && http.equals(lastHttp) && now - sentAt < REPUBLISH_NANOS) {
      return;
    }
    last = routes;
    lastHttp = http;
    sentAt = now;
    h.call(RoutesActor::publish, new RoutesActor.Snapshot(++version, routes, http)).whenComplete((ok, ex) -> {
      if (ex != null) {
        LOG.log(System.Logger.Level.DEBUG, "publishing routes failed; retrying with the next snapshot", ex);
        actor = null;
      }
    });
  }

  /** The HTTP entries of applications that have a route prefix and are not being deleted. */
  static List<RoutesActor.HttpRoute> httpRoutes(ServeStatus status) {
    List<RoutesActor.HttpRoute> out = new ArrayList<>();
    status.applications().values().forEach(a -> {
      if (a.routePrefix().isPresent() && a.status() != ApplicationStatus.DELETING) {
        out.add(new RoutesActor.HttpRoute(a.routePrefix().get(), a.name(), a.ingress()));
      }
    });
    return out;
  }

  static RoutesActor.Route toRoute(RoutingTable t) {
    List<String> replicas = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    List<String> actors = new ArrayList<>();
    t.replicas().forEach(r -> {
      replicas.add(r.id().toString());
      nodes.add(r.node().value());
      actors.add(r.actor().map(io.troupe.runtime.api.ActorId::value).orElse(""));
    });
    return new RoutesActor.Route(t.epoch(), replicas, nodes, actors, t.maxOngoingRequests(), t.maxQueuedRequests(),
        t.requestRouter(), t.metricsIntervalMs());
  }

  private void ensureActor() {
    if (!creating.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual().name("serve-routes-actor").start(() -> {
      try {
        ActorHandle<RoutesActor> h = troupe.getActor(RoutesActor.NAME, RoutesActor.class).orElse(null);
        if (h != null && h.info().get(30, java.util.concurrent.TimeUnit.SECONDS).state()
            == io.troupe.runtime.api.ActorState.DEAD) {
          h = null;
        }
        if (h == null) {
          h = troupe.createActor(RoutesActor.class, ActorOptions.builder().name(RoutesActor.NAME)
              .resources(ResourceSet.EMPTY).maxConcurrency(64)
              .strategy(SchedulingStrategy.nodeAffinity(troupe.nodeId(), true)).build());
        }
        troupe.waitAlive(h.id(), java.time.Duration.ofSeconds(30)).get();
        actor = h;
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "cannot start the serve routes actor; handles cannot find replicas yet", e);
      } finally {
        creating.set(false);
      }
    });
  }
}
