package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorContext;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.metrics.ServeMetrics;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.api.StreamingResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Troupe actor that hosts one replica of a deployment (Ray Serve's {@code ReplicaActor}). Its
 * constructor constructs the user's deployment class and, when the deployment has a user_config,
 * calls the user's {@code reconfigure} hook before the actor counts as alive.
 *
 * <p><b>User-class conventions</b> (all methods public, found by name):
 * <ul>
 *   <li>{@code ServeResponse handle(ServeRequest)} — the HTTP entry of an ingress deployment; it may
 *       return a {@link StreamingResponse} instead to stream the body;</li>
 *   <li>any other public method — callable from other deployments through {@link #invoke}
 *       (handle-to-handle composition; arguments and results must be Serializable); a method
 *       returning a {@link Stream} or an {@link Iterator} is a <em>streaming</em> method: its chunks
 *       are produced into a {@link ReplicaStreams} session and pulled with {@link #nextChunks};</li>
 *   <li>constructor parameters of type {@link io.troupe.serve.api.DeploymentHandle} receive handles
 *       to the deployments the application bound there;</li>
 *   <li>{@code void reconfigure(X userConfig)} (one parameter, X accepting the config's JSON-like value,
 *       e.g. {@code Map<String,Object>} or {@code Object}) — optional, required when a user_config is set;
 *       called in place, without restarting the replica;</li>
 *   <li>{@code void checkHealth()} — optional; throwing marks the replica unhealthy.</li>
 * </ul>
 *
 * <p><b>Threading.</b> The actor is created with a large {@code maxConcurrency}, so requests,
 * queue-length probes, health checks and reconfigure calls run at once on virtual threads; this class
 * enforces {@code max_ongoing_requests} itself with an atomic counter and answers
 * {@link ReplicaResult.Rejected} over the limit instead of queueing (the router backs off).
 * The user's object must be thread-safe up to {@code max_ongoing_requests} concurrent calls.
 * A streaming request holds its slot until its stream ends or is cancelled.
 *
 * <p><b>Metrics</b> (on its node's registry, removed when the actor stops): processing latency per
 * route, requests executing now, and healthy 1/0 from the latest {@link #checkHealth()}; see
 * {@link ServeMetrics#replica}.
 */
public final class ReplicaActor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ReplicaActor.class.getName());

  private final String replicaId;
  private final String nodeId;
  private final Object user;
  private final AtomicInteger ongoing = new AtomicInteger();
  private volatile int maxOngoing;
  private volatile boolean draining;
  private final ReplicaStreams streams;
  private final ServeMetrics.Replica metrics;
  /** Requests executing now that a caller can cancel, by the caller's request id. */
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  /** The thread running one cancellable request; interrupts only while the request runs. */
  private static final class Running {
    private final Thread thread = Thread.currentThread();
    private boolean done;
    private boolean cancelled;

    synchronized boolean cancel() {
      if (done) {
        return false;
      }
      cancelled = true;
      thread.interrupt();
      return true;
    }

    synchronized boolean finish() {
      done = true;
      return cancelled;
    }
  }

  /**
   * @param replicaId the replica's id (also the actor's name)
   * @param className the user's deployment class
   * @param initArgs its constructor arguments
   * @param userConfig JSON-like user_config, or null for none
   * @param maxOngoingRequests max_ongoing_requests
   */
  public ReplicaActor(String replicaId, String className, List<?> initArgs, Object userConfig,
      Integer maxOngoingRequests) throws Throwable {
    this.replicaId = replicaId;
    this.nodeId = ActorContext.current().map(c -> c.nodeId().toString()).orElse("unknown");
    this.maxOngoing = maxOngoingRequests;
    this.streams = new ReplicaStreams(replicaId);
    Class<?> cls = Class.forName(className, true, Thread.currentThread().getContextClassLoader() != null
        ? Thread.currentThread().getContextClassLoader() : ReplicaActor.class.getClassLoader());
    ActorContext.current().ifPresent(c -> io.troupe.serve.api.ReplicaContext.register(c,
        new io.troupe.serve.api.ReplicaContext(metricsId(replicaId))));
    this.user = construct(cls, initArgs.toArray());
    if (userConfig != null) {
      callReconfigure(userConfig);
    }
    this.metrics = ActorContext.current().map(c -> ServeMetrics.of(c.troupe().metrics()))
        .orElseGet(ServeMetrics::detached)
        .replica(metricsId(replicaId), ongoing::get);
  }

  private static ReplicaId metricsId(String replicaId) {
    try {
      return ReplicaId.parse(replicaId);
    } catch (IllegalArgumentException e) {
      return new ReplicaId(new DeploymentId("unknown", "unknown"), replicaId);
    }
  }

  // ------------------------------------------------------------------ data plane

  /** Runs the user's {@code handle(ServeRequest)}; adds {@code x-troupe-replica} and {@code x-troupe-node}. */
  public ReplicaResult handleRequest(ServeRequest request) {
    return run(request.header(REQUEST_ID_HEADER).orElse(null), "handle", new Object[] {request}, true,
        request.routePrefix());
  }

  /** Runs the user's public method {@code method} with {@code args} (composition through handles). */
  public ReplicaResult invoke(String method, List<?> args) {
    return run(null, method, args.toArray(), false, "");
  }

  /**
   * {@link #invoke}, cancellable with {@link #cancelRequest}{@code (requestId)} while it runs (a
   * handle call whose timeout passed).
   */
  public ReplicaResult invokeCancellable(String requestId, String method, List<?> args) {
    return run(requestId, method, args.toArray(), false, "");
  }

  /**
   * Interrupts the thread running request {@code requestId} (its caller gave up: request_timeout_s or
   * a handle timeout), so user code that waits or checks {@link Thread#interrupted()} stops and its
   * {@code max_ongoing_requests} slot frees. False when no such request is running (done, never came,
   * or returned a stream — streams are cancelled with {@link #cancelStream}).
   */
  public Boolean cancelRequest(String requestId) {
    Running r = running.get(requestId);
    return r != null && r.cancel();
  }

  /** The header the proxy puts its own request id in, for {@link #cancelRequest}. */
  public static final String REQUEST_ID_HEADER = "x-troupe-request-id";

  private ReplicaResult run(String requestId, String method, Object[] args, boolean http, String route) {
    Running tracked = requestId == null ? null : new Running();
    if (tracked != null) {
      running.put(requestId, tracked);
      // every line the request's code logs carries its id (in the replica's log file: troupe logs replica ...)
      org.slf4j.MDC.put(io.troupe.runtime.logs.LogFileAppender.REQUEST_KEY, requestId);
    }
    try {
      return run(method, args, http, route);
    } finally {
      org.slf4j.MDC.remove(io.troupe.runtime.logs.LogFileAppender.REQUEST_KEY);
      if (tracked != null) {
        running.remove(requestId, tracked);
        if (tracked.finish()) {
          Thread.interrupted(); // the interrupt was for the user code; do not leak it into the runtime
        }
      }
    }
  }

  private ReplicaResult run(String method, Object[] args, boolean http, String route) {
    if (draining) {
      return new ReplicaResult.Rejected(ongoing.get(), true);
    }
    int now = ongoing.incrementAndGet();
    if (now > maxOngoing) {
      return new ReplicaResult.Rejected(ongoing.decrementAndGet(), false);
    }
    boolean streaming = false;
    long started = System.nanoTime();
    try {
      Object value = call(method, args);
      if (http) {
        if (value instanceof StreamingResponse sr) {
          Map<String, String> h = new java.util.LinkedHashMap<>(sr.headers());
          h.put("x-troupe-replica", replicaId);
          h.put("x-troupe-node", nodeId);
          value = new StreamRef(openStream(sr.chunks()), replicaId, sr.status(), h);
          streaming = true;
        } else if (value instanceof ServeResponse r) {
          value = r.withHeader("x-troupe-replica", replicaId).withHeader("x-troupe-node", nodeId);
        } else {
          throw new IllegalStateException(user.getClass().getName() + ".handle(ServeRequest) must return a "
              + "ServeResponse or a StreamingResponse, returned " + (value == null ? "null" : value.getClass().getName()));
        }
      } else if (value instanceof Stream<?> || value instanceof Iterator<?>) {
        value = new StreamRef(openStream(value), replicaId, 200, Map.of());
        streaming = true;
      }
      return new ReplicaResult.Ok(value, ongoing.get() - (streaming ? 0 : 1));
    } catch (Throwable t) {
      String errorId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
      org.slf4j.MDC.put(io.troupe.runtime.logs.LogFileAppender.ERROR_KEY, errorId);
      try {
        LOG.log(System.Logger.Level.WARNING, "replica " + replicaId + ": " + method + " failed, error id " + errorId, t);
      } finally {
        org.slf4j.MDC.remove(io.troupe.runtime.logs.LogFileAppender.ERROR_KEY);
      }
      return new ReplicaResult.Failed(errorId, t.getClass().getName() + (t.getMessage() == null ? ""
          : ": " + t.getMessage()), ongoing.get() - 1);
    } finally {
      if (!streaming) {
        ongoing.decrementAndGet();
      }
      metrics.processed(route, (System.nanoTime() - started) / 1e6);
    }
  }

  /** Starts a stream session; the request's ongoing slot is released when the stream stops. */
  private long openStream(Object chunks) {
    Iterator<?> it = chunks instanceof Stream<?> st ? st.iterator() : (Iterator<?>) chunks;
    AutoCloseable close = chunks instanceof Stream<?> st ? st : chunks instanceof AutoCloseable c ? c : null;
    return streams.open(it, close, ongoing::decrementAndGet);
  }

  /**
   * The next chunks of stream {@code streamId}: up to {@code max}, waiting up to {@code waitMillis}
   * for the first (not counted as a request; see {@link ReplicaStreams#next}).
   */
  public ChunkBatch nextChunks(Long streamId, Integer max, Long waitMillis) throws InterruptedException {
    return streams.next(streamId, max, waitMillis);
  }

  /** Cancels stream {@code streamId} (the caller went away); false when it had already ended. */
  public Boolean cancelStream(Long streamId) {
    return streams.cancel(streamId);
  }

  /** Requests executing now (the router's queue-length probe). */
  public Integer queueLength() {
    return ongoing.get();
  }

  // ------------------------------------------------------------------ control plane

  /** Applies a new user_config and max_ongoing_requests in place (no restart). */
  public Boolean updateRuntime(Object userConfig, Integer maxOngoingRequests) throws Throwable {
    if (userConfig != null) {
      callReconfigure(userConfig);
    }
    maxOngoing = maxOngoingRequests;
    return true;
  }

  /** Runs the user's {@code checkHealth()} if it has one; throws when it does. */
  public Boolean checkHealth() throws Throwable {
    Method m = find("checkHealth", 0);
    if (m != null) {
      try {
        invokeMethod(m, new Object[0]);
      } catch (Throwable t) {
        metrics.healthy(false);
        throw t;
      }
    }
    metrics.healthy(true);
    return true;
  }

  /**
   * The runtime calls it when the actor stops: cancels open streams and requests still running,
   * closes the user's object when it is {@link AutoCloseable} (an LLM server frees its engine and
   * ranks there), and removes this replica's meters.
   */
  @Override
  public void close() {
    draining = true;
    streams.cancelAll();
    running.values().forEach(Running::cancel);
    if (user instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "replica " + replicaId + ": closing " + user.getClass().getName()
            + " failed", e);
      }
    }
    metrics.close();
    ActorContext.current().ifPresent(io.troupe.serve.api.ReplicaContext::unregister);
  }

  /** Refuses new requests from now on (graceful stop); returns the requests still executing. */
  public Integer startDraining() {
    draining = true;
    return ongoing.get();
  }

  /** Where this replica runs: {@code [replicaId, nodeId]}. */
  public List<String> identity() {
    return List.of(replicaId, nodeId);
  }

  // ------------------------------------------------------------------ reflection

  private void callReconfigure(Object userConfig) throws Throwable {
    Method m = find("reconfigure", 1);
    if (m == null || !m.getParameterTypes()[0].isInstance(userConfig)) {
      throw new IllegalArgumentException("deployment class " + user.getClass().getName() + " has a user_config but "
          + "no public method reconfigure(" + userConfig.getClass().getSimpleName() + "-compatible parameter)");
    }
    invokeMethod(m, new Object[] {userConfig});
  }

  private Object call(String method, Object[] args) throws Throwable {
    for (Method m : user.getClass().getMethods()) {
      if (m.getName().equals(method) && !Modifier.isStatic(m.getModifiers()) && accepts(m.getParameterTypes(), args)) {
        return invokeMethod(m, args);
      }
    }
    throw new NoSuchMethodException("deployment class " + user.getClass().getName() + " has no public method "
        + method + " accepting " + args.length + " argument(s)"
        + (method.equals("handle") ? "; an HTTP ingress needs: public ServeResponse handle(ServeRequest)" : ""));
  }

  private Method find(String name, int params) {
    for (Method m : user.getClass().getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == params && !Modifier.isStatic(m.getModifiers())) {
        return m;
      }
    }
    return null;
  }

  private Object invokeMethod(Method m, Object[] args) throws Throwable {
    try {
      m.setAccessible(true);
      return m.invoke(user, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Object construct(Class<?> cls, Object[] args) throws Throwable {
    for (Constructor<?> c : cls.getConstructors()) {
      if (accepts(c.getParameterTypes(), args)) {
        try {
          return c.newInstance(args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
    throw new NoSuchMethodException("deployment class " + cls.getName() + " has no public constructor accepting "
        + args.length + " argument(s) " + describe(args));
  }

  private static boolean accepts(Class<?>[] types, Object[] args) {
    if (types.length != args.length) {
      return false;
    }
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i].isPrimitive() ? box(types[i]) : types[i];
      if (args[i] == null ? types[i].isPrimitive() : !t.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }

  private static Class<?> box(Class<?> p) {
    return java.lang.invoke.MethodType.methodType(p).wrap().returnType();
  }

  private static String describe(Object[] args) {
    StringBuilder b = new StringBuilder("[");
    for (Object a : args) {
      b.append(b.length() > 1 ? ", " : "").append(a == null ? "null" : a.getClass().getSimpleName());
    }
    return b.append(']').toString();
  }
}
