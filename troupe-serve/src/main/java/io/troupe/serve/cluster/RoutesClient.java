package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.controller.RoutingTable;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node's cache of the routing tables and HTTP routes the controller publishes through the
 * {@link RoutesActor} (on the head). One per node of this JVM, shared by its
 * {@link HandleClient} (handles inside replicas) and its HTTP proxy when the proxy is not on the
 * head. Pulled, never pushed: {@link #refreshIfStale()} fetches when the cache is older than
 * {@link #TTL}. A failed fetch (head down, actor re-created) keeps the cached tables, and an empty,
 * just re-created actor (version -1) never replaces them, so the data plane keeps routing to the
 * replicas it knows while the head or the controller is away.
 *
 * <p><b>Threading.</b> Thread-safe; one fetch in flight at a time, on a virtual thread. Listeners
 * run on the fetching thread after every successful fetch and must not block.
 * <b>Authority:</b> none — a cache of the controller's tables.
 */
public final class RoutesClient {
  private static final System.Logger LOG = System.getLogger(RoutesClient.class.getName());
  /** Cached tables older than this are fetched again on the next use. */
  static final Duration TTL = Duration.ofSeconds(1);
  /** One fetch may take this long (the head may be unreachable). */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

  private final Troupe troupe;
  private final List<Consumer<RoutesActor.Snapshot>> listeners = new CopyOnWriteArrayList<>();
  private volatile RoutesActor.Snapshot routes;
  /** The routes actor found last; looked up by name again after a failed call. */
  private volatile ActorHandle<RoutesActor> actor;
  private volatile long fetchedAt;
  private volatile long lastSuccessAt;
  private CompletableFuture<Void> refreshing;

  private RoutesClient(Troupe troupe) {
    this.troupe = troupe;
  }

  /** The cache of {@code troupe}'s node (one per node, a node service). */
  public static RoutesClient forTroupe(Troupe troupe) {
    return troupe.nodeServices().get(RoutesClient.class, () -> new RoutesClient(troupe));
  }

  /** The newest tables this node has seen; empty until a first fetch succeeded. */
  public Optional<RoutesActor.Snapshot> cached() {
    return Optional.ofNullable(routes);
  }

  /** Nanos ({@link System#nanoTime()}) of the last successful fetch; 0 if none. */
  public long lastSuccessNanos() {
    return lastSuccessAt;
  }

  /** {@code l} gets every snapshot a fetch brings, on the fetching thread; it must not block. */
  public void addListener(Consumer<RoutesActor.Snapshot> l) {
    listeners.add(l);
  }

  public void removeListener(Consumer<RoutesActor.Snapshot> l) {
    listeners.remove(l);
  }

  /** Starts a fetch when the cache is older than the TTL; returns the fetch in flight (or a done future). */
  public synchronized CompletableFuture<Void> refreshIfStale() {
    if (refreshing != null && !refreshing.isDone()) {
      return refreshing;
    }
    if (routes != null && System.nanoTime() - fetchedAt < TTL.toNanos()) {
      return CompletableFuture.completedFuture(null);
    }
    refreshing = CompletableFuture.runAsync(this::fetch, TroupeClusterOps.VIRTUAL);
    return refreshing;
  }

  /** Waits up to {@code timeout} for a first snapshot; true when one is cached. */
  public boolean awaitFirst(Duration timeout) {
    if (routes != null) {
      return true;
    }
    try {
      refreshIfStale().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "first routing table fetch failed", e);
    }
    return routes != null;
  }

  private void fetch() {
    try {
      ActorHandle<RoutesActor> h = actor;
      if (h == null) {
        h = troupe.getActor(RoutesActor.NAME, RoutesActor.class)
            .orElseThrow(() -> new ServeException("no " + RoutesActor.NAME + " actor (is serving enabled on the head?)"));
        actor = h;
      }
      RoutesActor.Snapshot s;
      try {
        s = h.call(RoutesActor::routes).get(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        actor = null; // re-created with the head, perhaps: look it up again next time
        throw e;
      }
      RoutesActor.Snapshot prior = routes;
      if (prior == null || s.version() >= 0) {
        routes = s; // an empty, re-created actor (version -1) does not wipe the cached tables
      }
      fetchedAt = System.nanoTime();
      lastSuccessAt = fetchedAt;
      RoutesActor.Snapshot now = routes;
      for (Consumer<RoutesActor.Snapshot> l : listeners) {
        try {
          l.accept(now);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "a routes listener failed", e);
        }
      }
    } catch (Exception e) {
      // keep routing with the cached tables (head away, actor restarting); try again after the TTL
      fetchedAt = System.nanoTime();
      LOG.log(System.Logger.Level.DEBUG, "fetching serve routing tables failed; using the cached ones", e);
      throw e instanceof RuntimeException re ? re : new ServeException(String.valueOf(e.getMessage()), e);
    }
  }

  /** Deployment {@code d}'s table in {@code s}, in the controller's form; empty when {@code s} has none. */
  public static Optional<RoutingTable> table(RoutesActor.Snapshot s, DeploymentId d) {
    RoutesActor.Route route = s.routes().get(d.toString());
    if (route == null) {
      return Optional.empty();
    }
    List<RoutingTable.Replica> replicas = new ArrayList<>();
    for (int i = 0; i < route.replicas().size(); i++) {
      String actor = route.actors().get(i);
      replicas.add(new RoutingTable.Replica(ReplicaId.parse(route.replicas().get(i)), NodeId.of(route.nodes().get(i)),
          actor.isEmpty() ? Optional.empty() : Optional.of(ActorId.of(actor))));
    }
    return Optional.of(new RoutingTable(d, route.epoch(), replicas, route.maxOngoing(), route.maxQueued(),
        route.requestRouter(), route.metricsIntervalMs()));
  }
}
