package io.troupe.serve.cluster;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The named runtime actor ({@value #NAME}, on the head) through which replicas on any node learn the
 * routing tables the controller publishes (Ray's long-poll host, reduced to a pull):
 * {@link RoutesPublisher} pushes every changed set of tables, {@link HandleClient}s pull them with a
 * short TTL. Deliberately dumb: it keeps the newest version it was given. It is also the head's mailbox for
 * the other nodes' autoscaling {@link LoadReport}s, which the controller's {@link LoadCollector} drains.
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
      int maxQueued, io.troupe.serve.api.RequestRouterConfig requestRouter, long metricsIntervalMs)
      implements Serializable {
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
  /** Load reports from other nodes waiting for the controller to take them; oldest dropped past the bound. */
  private final java.util.ArrayDeque<LoadReport.Received> inbox = new java.util.ArrayDeque<>();
  static final int INBOX_LIMIT = 10_000;

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

  /** A node's autoscaling load report; kept, stamped with its arrival, until {@link #takeReports()}. */
  public Boolean report(LoadReport r) {
    synchronized (inbox) {
      inbox.addLast(new LoadReport.Received(System.currentTimeMillis(), r));
      while (inbox.size() > INBOX_LIMIT) {
        inbox.removeFirst();
      }
    }
    return true;
  }

  /** The reports received since the last call, oldest first (the head's controller drains them). */
  public java.util.ArrayList<LoadReport.Received> takeReports() {
    synchronized (inbox) {
      java.util.ArrayList<LoadReport.Received> out = new java.util.ArrayList<>(inbox);
      inbox.clear();
      return out;
    }
  }

  /** The newest tables ({@code version} -1: nothing published yet). */
  public Snapshot routes() {
    return snapshot;
  }
}
