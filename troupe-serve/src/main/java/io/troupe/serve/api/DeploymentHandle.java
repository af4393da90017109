package io.troupe.serve.api;

import io.troupe.runtime.api.Method;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.cluster.HandleClient;
import java.io.Serializable;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A reference to a deployment for calls from other deployments (Ray Serve's {@code DeploymentHandle}):
 * a replica whose application bound another deployment into its constructor
 * ({@code BoundDeployment.bind(Ingress.class, cfg, BoundDeployment.bind(Model.class, cfg2))}) receives
 * a handle in that parameter ({@code public Ingress(DeploymentHandle<Model> model)}).
 *
 * <p>Calls are routed like the HTTP proxy's requests: by the deployment's {@code request_router} (power of
 * two choices over the running replicas, same node first, by default; prefix-aware by the
 * {@link CallOptions#routingKey}) with queue-length probes and back-off while all are full; a
 * call over {@code max_queued_requests} fails with {@link BackPressureException}; a call whose
 * replica died before answering is retried on another one. User errors in the callee fail the call
 * with {@link DeploymentCallException}. Replicas are learnt from the routing tables the controller
 * publishes (cached briefly; a cached table keeps serving while the head is away).
 *
 * <p><b>Streaming.</b> A callee method that returns a {@link java.util.stream.Stream} or an
 * {@link java.util.Iterator} is a streaming method: call it with {@link #stream}; its chunks arrive
 * as they are produced (pulled in batches, at most a bounded buffer ahead of the consumer).
 *
 * <p>Immutable and Serializable (the application and deployment names and the {@link CallOptions});
 * a handle binds to the node it is used on: inside a replica, the replica's node; elsewhere, the
 * {@link Troupe} passed to {@link #of}. Thread-safe.
 *
 * @param <T> the deployment class: typed calls take its method references ({@code handle.remote(Model::predict, x)});
 *     calls by name ({@code remote("predict", x)}) stay for methods chosen at run time
 */
public final class DeploymentHandle<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String app;
  private final String deployment;
  private final CallOptions options;
  private transient volatile HandleClient client;

  private DeploymentHandle(String app, String deployment, CallOptions options, HandleClient client) {
    this.app = Objects.requireNonNull(app, "app");
    this.deployment = Objects.requireNonNull(deployment, "deployment");
    this.options = Objects.requireNonNull(options, "options");
    this.client = client;
  }

  /** A handle bound on first use to the node of the actor using it (how replicas receive them). */
  public static <T> DeploymentHandle<T> unbound(DeploymentId id) {
    return new DeploymentHandle<>(id.app(), id.name(), CallOptions.DEFAULT, null);
  }

  /** A handle for code outside replicas (a driver, a test): calls go through {@code troupe}'s node. */
  public static <T> DeploymentHandle<T> of(Troupe troupe, String app, String deployment) {
    return new DeploymentHandle<>(app, deployment, CallOptions.DEFAULT, HandleClient.forTroupe(troupe));
  }

  public DeploymentId deploymentId() {
    return new DeploymentId(app, deployment);
  }

  public CallOptions callOptions() {
    return options;
  }

  /** The same deployment with other per-call options (method for {@link #call}, timeout, routing key). */
  public DeploymentHandle<T> options(CallOptions o) {
    return new DeploymentHandle<>(app, deployment, o, client);
  }

  /** Calls {@code method(args)} on one replica; the future completes with its result. */
  public <R> CompletableFuture<R> remote(String method, Object... args) {
    return client().call(deploymentId(), method, args, options.timeout(), options.routingKey());
  }

  /** Calls {@code method} (a method reference such as {@code Model::predict}) on one replica. */
  public <R> CompletableFuture<R> remote(Method.M0<T, R> method) {
    return remote(Method.nameOf(method));
  }

  /** Calls {@code method(a)} (a method reference such as {@code Model::predict}) on one replica. */
  public <A, R> CompletableFuture<R> remote(Method.M1<T, A, R> method, A a) {
    return remote(Method.nameOf(method), a);
  }

  /** Calls {@code method(a, b)} on one replica. */
  public <A, B, R> CompletableFuture<R> remote(Method.M2<T, A, B, R> method, A a, B b) {
    return remote(Method.nameOf(method), a, b);
  }

  /** Calls {@code method(a, b, c)} on one replica. */
  public <A, B, C, R> CompletableFuture<R> remote(Method.M3<T, A, B, C, R> method, A a, B b, C c) {
    return remote(Method.nameOf(method), a, b, c);
  }

  /** Calls the options' method ({@link CallOptions#method}) with {@code args}. */
  public <R> CompletableFuture<R> call(Object... args) {
    return remote(options.method(), args);
  }

  /**
   * Calls streaming method {@code method(args)} (one returning a Stream or Iterator) and returns its
   * chunks as they arrive. Blocks until the replica has started the stream (or failed).
   */
  public <R> ResponseStream<R> stream(String method, Object... args) {
    return client().stream(deploymentId(), method, args, options.timeout(), options.routingKey());
  }

  /** {@link #stream} of streaming method {@code method(a)} (a method reference returning a Stream). */
  public <A, R> ResponseStream<R> stream(Method.M1<T, A, ? extends java.util.stream.Stream<R>> method, A a) {
    return stream(Method.nameOf(method), a);
  }

  /** {@link #stream} of streaming method {@code method(a, b)} (a method reference returning a Stream). */
  public <A, B, R> ResponseStream<R> stream(Method.M2<T, A, B, ? extends java.util.stream.Stream<R>> method, A a,
      B b) {
    return stream(Method.nameOf(method), a, b);
  }

  /** {@link #stream} of the options' method. */
  public <R> ResponseStream<R> callStream(Object... args) {
    return stream(options.method(), args);
  }

  private HandleClient client() {
    HandleClient c = client;
    if (c == null) {
      c = HandleClient.current();
      client = c;
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeploymentHandle<?> h && h.app.equals(app) && h.deployment.equals(deployment)
        && h.options.equals(options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(app, deployment, options);
  }

  @Override
  public String toString() {
    return "DeploymentHandle[" + app + "#" + deployment + ", " + options + "]";
  }
}
