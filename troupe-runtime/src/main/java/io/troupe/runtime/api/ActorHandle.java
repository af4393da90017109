package io.troupe.runtime.api;

import java.util.concurrent.CompletableFuture;

/**
 * A reference to a Troupe actor, usable from any node. Calls are asynchronous; with
 * {@code maxConcurrency = 1} calls made through one handle run in the order they were made.
 * Calls made while the actor is pending or restarting are queued and sent when it is alive.
 * A call on a dead actor fails with {@link ActorDiedException}; a call in flight when the actor's
 * node died fails with {@link ActorUnavailableException}; an exception thrown by the method fails
 * the call with {@link ActorCallException} and the actor keeps serving.
 *
 * <p>Thread-safe.
 */
public interface ActorHandle<T> {
  ActorId id();

  /** Calls a public method by name. */
  <R> CompletableFuture<R> call(String method, Object... args);

  default <R> CompletableFuture<R> call(Method.M0<T, R> m) {
    return call(Method.nameOf(m));
  }

  default <A, R> CompletableFuture<R> call(Method.M1<T, A, R> m, A a) {
    return call(Method.nameOf(m), a);
  }

  default <A, B, R> CompletableFuture<R> call(Method.M2<T, A, B, R> m, A a, B b) {
    return call(Method.nameOf(m), a, b);
  }

  default <A, B, C, R> CompletableFuture<R> call(Method.M3<T, A, B, C, R> m, A a, B b, C c) {
    return call(Method.nameOf(m), a, b, c);
  }

  /** The actor's current record from the control service. */
  CompletableFuture<ActorInfo> info();
}
