package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.DeploymentCallException;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ResponseStream;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.controller.RoutingTable;
import io.troupe.serve.metrics.ServeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The node-side engine behind {@link io.troupe.serve.api.DeploymentHandle}s: one per node, kept in the
 * node's {@link io.troupe.runtime.api.NodeServices} (shared by every replica and handle on it, like Ray's
 * per-process router, and closed with the node), with one {@link DeploymentRouter}
 * per called deployment. Routing tables come from the node's {@link RoutesClient} (the
 * {@link RoutesActor}'s tables, fetched when older than {@link #ROUTES_TTL}); when a fetch fails
 * (head away) the cached tables keep routing, so the data plane survives a head outage once a node
 * has fetched them.
 *
 * <p><b>Threading.</b> Thread-safe. Each call runs its routing loop on its own virtual thread
 * (blocking on the router's assignment and the replica call); routers serialize their own state.
 * <b>Authority:</b> none — tables are the controller's, queue lengths are hints.
 */
public final class HandleClient implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HandleClient.class.getName());
  static final Duration ROUTES_TTL = RoutesClient.TTL;
  /** Wait cap when a call has no timeout: long, but never forever. */
  static final Duration NO_TIMEOUT = Duration.ofDays(1);
  /** How long one pull of a stream may take beyond its long poll when the call has no timeout. */
  static final Duration STREAM_PULL_TIMEOUT = Duration.ofSeconds(60);

  private final Troupe troupe;
  private final ReplicaDirectory directory;
  private final Map<DeploymentId, DeploymentRouter> routers = new ConcurrentHashMap<>();
  private final RoutesClient routes;
  private final ServeMetrics metrics;
  private final InstantSource clock = InstantSource.system();

  private HandleClient(Troupe troupe) {
    this.troupe = troupe;
    this.directory = new ReplicaDirectory(troupe);
    this.routes = RoutesClient.forTroupe(troupe);
    this.metrics = ServeMetrics.of(troupe.metrics());
    routes.addListener(this::onRoutes);
  }

  /** The client of {@code troupe}'s node (one per node, a node service closed with it). */
  public static HandleClient forTroupe(Troupe troupe) {
    return troupe.nodeServices().get(HandleClient.class, () -> new HandleClient(troupe));
  }

  /** The client of the node the calling actor runs on. */
  public static HandleClient current() {
    return ActorContext.current().map(c -> forTroupe(c.troupe())).orElseThrow(() -> new ServeException(
        "this DeploymentHandle is not bound to a node: use it inside a replica (or a thread it started), "
            + "or create it with DeploymentHandle.of(troupe, app, deployment)"));
  }

  /** A call's answer: the replica that answered and its value. */
  private record Answer(ReplicaId replica, DeploymentRouter router, Object value) {
  }

  /** Calls {@code method} on a replica chosen by the deployment's router; {@code routingKey} may be null. */
  public <R> CompletableFuture<R> call(DeploymentId d, String method, Object[] args, Duration timeout,
      String routingKey) {
    Instant deadline = clock.instant().plus(timeout == null ? NO_TIMEOUT : timeout);
    CompletableFuture<R> f = new CompletableFuture<>();
    Thread.ofVirtual().name("serve-handle-" + d).start(() -> {
      try {
        Answer a = send(d, method, args, deadline, timeout, routingKey);
        if (a.value() instanceof StreamRef ref) {
          directory.cancelStream(a.replica(), ref.streamId());
          a.router().onRequestFinished(a.replica());
          throw new ServeException(d + "." + method + " returns a stream: call it with DeploymentHandle.stream");
        }
        @SuppressWarnings("unchecked")
        R value = (R) a.value();
        f.complete(value);
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f;
  }

  public <R> ResponseStream<R> stream(DeploymentId d, String method, Object[] args, Duration timeout,
      String routingKey) {
    Instant deadline = clock.instant().plus(timeout == null ? NO_TIMEOUT : timeout);
    Answer a = send(d, method, args, deadline, timeout, routingKey);
    if (!(a.value() instanceof StreamRef ref)) {
      a.router().onRequestFinished(a.replica());
      throw new ServeException(d + "." + method + " returned " + (a.value() == null ? "null"
          : a.value().getClass().getName()) + ", not a stream: a streaming method returns a java.util.stream.Stream "
          + "or an Iterator");
    }
    return new RemoteStream<>(directory.handle(a.replica()), ref, timeout == null ? STREAM_PULL_TIMEOUT : timeout,
        () -> a.router().onRequestFinished(a.replica()));
  }

  /**
   * Routes and sends one call ({@link ReplicaCall}, refreshing stale routing tables while no replica is
   * free) and maps its outcome: the answer, or the exception a {@link io.troupe.serve.api.DeploymentHandle}
   * call fails with. Blocking.
   */
  private Answer send(DeploymentId d, String method, Object[] args, Instant deadline, Duration timeout,
      String routingKey) {
    DeploymentRouter router = router(d, deadline);
    ReplicaCall call = new ReplicaCall(router, directory, clock, this::refreshIfStale, ROUTES_TTL.dividedBy(4));
    ReplicaRequest request = new ReplicaRequest.Invoke(UUID.randomUUID().toString(), method, Arrays.asList(args));
    CallOutcome outcome;
    try {
      outcome = call.call(request, routingKey, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServeException("interrupted while calling " + d + "." + method);
    }
    return switch (outcome) {
      case CallOutcome.Answered a -> new Answer(a.replica(), router, a.value());
      case CallOutcome.Overloaded o -> throw o.refusal();
      case CallOutcome.TimedOut t -> throw timedOut(d, method, timeout);
      case CallOutcome.UserError u -> throw new DeploymentCallException(u.replica().toString(), u.errorId(), u.error());
      case CallOutcome.DiedTooOften x -> throw new ServeException("replicas of " + d + " died " + x.deaths()
          + " times while handling " + method, x.lastCause());
      case CallOutcome.Failed f when f.replica().isEmpty() -> throw new ServeException("routing to " + d
          + " failed: " + f.cause(), f.cause());
      case CallOutcome.Failed f -> throw new ServeException("calling " + method + " on " + f.replica().get()
          + " failed: " + TroupeClusterOps.describe(f.cause()), f.cause());
    };
  }

  private static ServeException timedOut(DeploymentId d, String method, Duration timeout) {
    return new ServeException("call " + d + "." + method + " not answered within " + (timeout == null ? NO_TIMEOUT
        : timeout).toMillis() + " ms", new TimeoutException());
  }

  // ------------------------------------------------------------------ routing tables

  private DeploymentRouter router(DeploymentId d, Instant deadline) {
    DeploymentRouter r = routers.computeIfAbsent(d, k -> new DeploymentRouter(k, troupe.nodeId(), directory, metrics));
    if (routes.cached().isEmpty()) {
      routes.awaitFirst(Duration.ofNanos(Math.max(1, Duration.between(clock.instant(), deadline).toNanos())));
    } else {
      refreshIfStale();
    }
    routes.cached().ifPresent(s -> updateRouter(d, r, s));
    return r;
  }

  private void refreshIfStale() {
    routes.refreshIfStale();
  }

  private void onRoutes(RoutesActor.Snapshot s) {
    routers.forEach((d, r) -> updateRouter(d, r, s));
  }

  private static void updateRouter(DeploymentId d, DeploymentRouter r, RoutesActor.Snapshot s) {
    // unknown yet: the router keeps what it had (nothing, or the last known replicas)
    RoutesClient.table(s, d).ifPresent(r::update);
  }

  /** Stops the routers (the node is closing). */
  @Override
  public void close() {
    routers.values().forEach(DeploymentRouter::close);
    routers.clear();
  }
}
