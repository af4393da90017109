package io.troupe.serve.cluster;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The named runtime actor ({@value #NAME}, on the head) through which replicas on any node learn the
 * routing tables the controller publishes (Ray's long-poll host, reduced to a pull):
 * {@link RoutesPublisher} pushes every changed set of tables, {@link HandleClient}s pull them with a
 * short TTL. Deliberately dumb: it keeps the newest version it was given.
 *
 * <p><b>Threading.</b> Calls may run concurrently; the snapshot is replaced atomically and only by a
 * newer version, so reordered publishes cannot roll it back. <b>Authority:</b> none; the controller
 * owns the tables, this is a cache of them (empty again after a head restart until republished).
 */
public final class RoutesActor {
  public static final String NAME = "troupe-serve-routes";

  /**
   * A deployment's routing table in a node-neutral, Serializable form: parallel lists of replica
   * ids, their nodes and their actor ids ("" when unknown), the request limits and the routing
   * policy. Immutable.
   */
  public record Route(long epoch, List<String> replicas, List<String> nodes, List<String> actors, int maxOngoing,
      int maxQueued, io.troupe.serve.api.RequestRouterConfig requestRouter) implements Serializable {
    public Route {
      replicas = List.copyOf(replicas);
      nodes = List.copyOf(nodes);
      actors = List.copyOf(actors);
    }
  }

  /** An application's HTTP entry: requests under {@code prefix} go to deployment {@code ingress} of {@code app}. */
  public record HttpRoute(String prefix, String app, String ingress) implements Serializable {
  }

  /**
   * All tables, keyed by {@code DeploymentId.toString()}, and the applications' HTTP routes (for
   * proxies on nodes other than the head), at {@code version}. Immutable.
   */
  public record Snapshot(long version, Map<String, Route> routes, List<HttpRoute> http) implements Serializable {
    public Snapshot {
      routes = Map.copyOf(routes);
      http = List.copyOf(http);
    }
  }

  private volatile Snapshot snapshot = new Snapshot(-1, Map.of(), List.of());

  public RoutesActor() {
  }

  /** Replaces the tables when {@code s} is newer than what is kept. */
  public synchronized Boolean publish(Snapshot s) {
    if (s.version() <= snapshot.version()) {
      return false;
    }
    snapshot = s;
    return true;
  }

  /** The newest tables ({@code version} -1: nothing published yet). */
  public Snapshot routes() {
    return snapshot;
  }
}
