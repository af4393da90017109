package io.troupe.serve.cluster;

import java.io.Serializable;

/**
 * What a replica answers to a request ({@link ReplicaActor#handleRequest}, {@link ReplicaActor#invoke}).
 * Every variant carries the replica's queue length after it decided, so callers refresh their
 * routing cache for free. Immutable; Serializable (crosses nodes).
 */
public sealed interface ReplicaResult extends Serializable {
  int queueLength();

  /** The user's method returned {@code value} (a {@link io.troupe.serve.api.ServeResponse} for HTTP). */
  record Ok(Object value, int queueLength) implements ReplicaResult {
  }

  /**
   * Refused without running: {@code max_ongoing_requests} are already executing, or the replica is
   * draining. Nothing happened; the caller backs off and routes the request again (to any replica).
   */
  record Rejected(int queueLength, boolean draining) implements ReplicaResult {
  }

  /**
   * The user's code threw. The replica keeps serving. {@code errorId} is also in the replica's log
   * line with the stack trace, so an operator can find it from the 500 answer.
   */
  record Failed(String errorId, String error, int queueLength) implements ReplicaResult {
  }
}
