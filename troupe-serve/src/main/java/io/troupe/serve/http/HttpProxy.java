package io.troupe.serve.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.cluster.CallOutcome;
import io.troupe.serve.cluster.DeploymentRouter;
import io.troupe.serve.cluster.ReplicaCall;
import io.troupe.serve.cluster.ReplicaRequest;
import io.troupe.serve.cluster.ReplicaActor;
import io.troupe.serve.cluster.ReplicaDirectory;
import io.troupe.serve.cluster.RemoteStream;
import io.troupe.serve.cluster.StreamRef;
import io.troupe.serve.cluster.RoutesClient;
import io.troupe.serve.cluster.ServeControllerLoop;
import io.troupe.serve.controller.RoutingTable;
import io.troupe.runtime.api.Troupe;
import java.util.Optional;
import io.troupe.serve.config.HttpOptions;
import io.troupe.serve.metrics.ServeMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP proxy (Ray Serve's {@code ProxyActor}) on Helidon SE: every request is matched to an
 * application by longest route prefix, routed to a replica of its ingress deployment by that
 * deployment's {@link DeploymentRouter}, and answered with the replica's {@link ServeResponse}, or
 * streamed chunk by chunk ({@link StreamWriter}) when the ingress returned a
 * {@link io.troupe.serve.api.StreamingResponse}; {@code request_timeout_s} then bounds the time to
 * the stream's start, not its length.
 * Answers: 404 for no matching route; 503 with {@code Retry-After} when max_queued_requests
 * requests are already waiting; 408 when {@code request_timeout_s} passes; 500 with an
 * {@code error_id} when user code threw. {@code GET /metrics} answers the node's Prometheus metrics
 * (so no application can serve that exact path); every other request is counted in
 * {@link ServeMetrics#httpRequest} with its application, route prefix, method and status. A request refused by a full replica is routed again; one
 * whose replica died before answering is retried on another replica (up to
 * {@link ReplicaCall#MAX_DEATH_RETRIES}).
 *
 * <p><b>Threading.</b> Helidon runs each request on its own virtual thread, which blocks on the
 * router and the actor call. Routers are created on first use and fed routing tables by the
 * proxy's {@link ProxyRoutes}: the controller loop on the head, the node's cached copy of the
 * routes actor elsewhere (so a worker's proxy keeps serving while the head is down). 503 with
 * {@code Retry-After} while a proxy has never received routes. Thread-safe.
 */
public final class HttpProxy implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HttpProxy.class.getName());
  /** Wait cap when no request_timeout_s is configured (Ray has none; we refuse to hang forever). */
  static final Duration NO_TIMEOUT = Duration.ofDays(1);
  /** How long one pull of a streaming response may take beyond its long poll before the stream is cut. */
  static final Duration STREAM_PULL_TIMEOUT = Duration.ofSeconds(60);

  private final ProxyRoutes source;
  private final ReplicaDirectory directory;
  private final NodeId localNode;
  private final HttpOptions options;
  private final Map<DeploymentId, DeploymentRouter> routers = new ConcurrentHashMap<>();
  private final WebServer server;
  private final ServeMetrics metrics;
  private final InstantSource clock = InstantSource.system();

  private HttpProxy(ProxyRoutes source, ReplicaDirectory directory, Troupe troupe, HttpOptions options) {
    this.source = source;
    this.directory = directory;
    this.localNode = troupe.nodeId();
    this.options = options;
    this.metrics = ServeMetrics.of(troupe.metrics());
    source.onChange(this::onRoutesChanged);
    HttpRouting.Builder routing = HttpRouting.builder();
    new io.troupe.runtime.rest.MetricsRoute(troupe.metrics()).accept(routing);
    this.server = WebServer.builder().host(options.host()).port(options.port())
        .routing(routing.any(this::serve)).build().start();
  }

  /**
   * Starts the head's proxy on {@code options.host():options.port()} (port 0: a free port), fed by
   * the controller loop in this JVM.
   */
  public static HttpProxy start(ServeControllerLoop loop, ReplicaDirectory directory, Troupe troupe,
      HttpOptions options) {
    return new HttpProxy(new LoopProxyRoutes(loop), directory, troupe, options);
  }

  /**
   * Starts a proxy on a node other than the head: routes and tables come from the node's cache of
   * the routes actor ({@link RoutesClient}), refreshed every {@code refresh}, and outlive a head
   * outage.
   */
  public static HttpProxy startCached(Troupe troupe, HttpOptions options, Duration refresh) {
    ProxyRoutes source = new CachedProxyRoutes(RoutesClient.forTroupe(troupe), refresh);
    try {
      return new HttpProxy(source, new ReplicaDirectory(troupe), troupe, options);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  public HttpOptions options() {
    return options;
  }

  /** Feeds every router its deployment's newest table; closes routers of deployments that are gone. */
  private void onRoutesChanged() {
    routers.keySet().removeIf(id -> {
      Optional<RoutingTable> t = source.table(id);
      if (t.isPresent()) {
        routers.get(id).update(t.get());
        return false;
      }
      routers.get(id).close();
      return true;
    });
  }

  private DeploymentRouter router(DeploymentId id) {
    DeploymentRouter r = routers.computeIfAbsent(id, k -> new DeploymentRouter(k, localNode, directory, metrics));
    source.table(id).ifPresent(r::update);
    return r;
  }

  /**
   * The request id: a client's {@code x-request-id} (as in Ray Serve; letters, digits and {@code . _ : -}, at most
   * 128, and it should be unique), else a new UUID. Sent back in {@code x-request-id}; every line the replica logs
   * for the request carries it ({@code troupe logs replica ...}).
   */
  static String requestId(ServerRequest req) {
    return req.headers().first(HeaderNames.create(REQUEST_ID_RESPONSE_HEADER))
        .filter(v -> v.matches("[A-Za-z0-9._:-]{1,128}")).orElseGet(() -> UUID.randomUUID().toString());
  }

  /** The header that carries the request id to the client (and from it, when it sets one). */
  public static final String REQUEST_ID_RESPONSE_HEADER = "x-request-id";

  private void serve(ServerRequest req, ServerResponse res) throws Exception {
    long started = System.nanoTime();
    String method = req.prologue().method().text();
    String app = "";
    String prefix = "";
    int status = 500; // an exception escaping here is answered 500 by Helidon
    try {
      String path = req.path().path();
      Optional<RouteTable> routes = source.httpRoutes();
      if (routes.isEmpty()) {
        status = 503;
        write(res, ServeResponse.text(503, "this proxy has not received the applications' routes from the serve "
            + "controller yet; retry shortly").withHeader("retry-after", "1"));
        return;
      }
      var route = routes.get().match(path);
      if (route.isEmpty()) {
        status = 404;
        text(res, 404, "no application serves " + path + "; GET /api/serve/applications/ on the head lists the routes");
        return;
      }
      app = route.get().app();
      prefix = route.get().prefix();
      Map<String, List<String>> headers = headers(req);
      headers.keySet().removeIf(ReplicaActor.REQUEST_ID_HEADER::equalsIgnoreCase); // ours, not the client's
      String requestId = requestId(req);
      headers.put(ReplicaActor.REQUEST_ID_HEADER, List.of(requestId));
      res.header(HeaderNames.create(REQUEST_ID_RESPONSE_HEADER), requestId);
      ServeRequest request = new ServeRequest(method, path, prefix, req.query().rawValue(), headers,
          req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0]);
      Instant deadline = clock.instant().plus(options.requestTimeout().orElse(NO_TIMEOUT));
      Object answer = forward(route.get().ingress(), request, deadline);
      if (answer instanceof RemoteStream<?> stream) {
        status = stream.ref().status();
        StreamWriter.write(request, res, stream);
      } else {
        ServeResponse r = (ServeResponse) answer;
        status = r.status();
        write(res, r);
      }
    } finally {
      metrics.httpRequest(app, prefix, method, status, (System.nanoTime() - started) / 1e6);
    }
  }

  private static Map<String, List<String>> headers(ServerRequest req) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    req.headers().forEach(x -> h.put(x.name(), x.allValues()));
    return h;
  }

  /**
   * Routes and sends {@code request} until it is answered, refused or out of time ({@link ReplicaCall}): a
   * {@link ServeResponse}, or a {@link RemoteStream} when the ingress returned a streaming response.
   */
  Object forward(DeploymentId ingress, ServeRequest request, Instant deadline) throws InterruptedException {
    DeploymentRouter router = router(ingress);
    String requestId = request.header(ReplicaActor.REQUEST_ID_HEADER).orElseGet(() -> UUID.randomUUID().toString());
    CallOutcome outcome = new ReplicaCall(router, directory, clock)
        .call(new ReplicaRequest.Http(requestId, request), null, deadline);
    return switch (outcome) {
      case CallOutcome.Answered a when a.value() instanceof StreamRef ref -> new RemoteStream<>(
          directory.handle(a.replica()), ref, STREAM_PULL_TIMEOUT, () -> router.onRequestFinished(a.replica()));
      case CallOutcome.Answered a -> (ServeResponse) a.value();
      case CallOutcome.Overloaded o -> ServeResponse.text(503, o.refusal().getMessage()).withHeader("retry-after", "1");
      case CallOutcome.TimedOut t -> timeout(ingress);
      case CallOutcome.UserError f -> ServeResponse.json(500, "{\"error\": " + quote("Internal Server Error: "
              + f.error()) + ", \"error_id\": " + quote(f.errorId()) + ", \"replica_id\": "
              + quote(f.replica().toString()) + "}")
          .withHeader("x-troupe-error-id", f.errorId()).withHeader("x-troupe-replica", f.replica().toString());
      case CallOutcome.DiedTooOften d -> internal("replicas died " + d.deaths() + " times while handling the request",
          d.lastCause());
      case CallOutcome.Failed f -> f.replica().isEmpty() ? internal("routing failed", f.cause())
          : internal("calling replica " + f.replica().get() + " failed", f.cause());
    };
  }

  private ServeResponse timeout(DeploymentId ingress) {
    return ServeResponse.text(408, "request to " + ingress + " not answered within request_timeout_s="
        + options.requestTimeout().map(d -> d.toMillis() / 1000.0 + "").orElse("none"));
  }

  private static ServeResponse internal(String what, Throwable cause) {
    String errorId = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    LOG.log(System.Logger.Level.WARNING, "proxy: " + what + ", error id " + errorId, cause);
    return ServeResponse.json(500, "{\"error\": " + quote(what + ": " + cause) + ", \"error_id\": " + quote(errorId) + "}")
        .withHeader("x-troupe-error-id", errorId);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static void text(ServerResponse res, int status, String body) {
    write(res, ServeResponse.text(status, body));
  }

  private static void write(ServerResponse res, ServeResponse r) {
    res.status(Status.create(r.status()));
    r.headers().forEach((k, v) -> res.header(HeaderNames.create(k), v));
    res.send(r.body());
  }

  @Override
  public void close() {
    server.stop();
    source.close();
    routers.values().forEach(DeploymentRouter::close);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
