package io.troupe.serve.cluster;

import io.troupe.serve.api.BackPressureException;
import io.troupe.serve.api.ReplicaId;
import java.util.Optional;

/**
 * How one {@link ReplicaCall} ended. The HTTP proxy maps each case to a status code, a
 * {@link io.troupe.serve.api.DeploymentHandle} to a value or an exception; each case's comment says what
 * the caller is expected to do next. Immutable.
 */
public sealed interface CallOutcome {

  /**
   * A replica ran the request and returned {@code value}: a {@link io.troupe.serve.api.ServeResponse} (HTTP
   * ingress), any value of a user method, or a {@link StreamRef} when the method started a stream — the
   * caller then owns the router slot and releases it with {@code onRequestFinished} when the stream ends.
   */
  record Answered(ReplicaId replica, Object value) implements CallOutcome {
  }

  /** Refused before anything was sent: {@code max_queued_requests} were already waiting (HTTP 503). */
  record Overloaded(BackPressureException refusal) implements CallOutcome {
  }

  /**
   * The deadline passed while waiting for a replica or its answer; a request already sent was asked to
   * stop (HTTP 408).
   */
  record TimedOut() implements CallOutcome {
  }

  /** The user's code threw; the replica logged {@code errorId} with the stack trace and keeps serving (HTTP 500). */
  record UserError(ReplicaId replica, String errorId, String error) implements CallOutcome {
  }

  /**
   * Replicas died before answering more than {@link ReplicaCall#MAX_DEATH_RETRIES} times; {@code lastCause}
   * is the last death. Nothing more is retried (HTTP 500).
   */
  record DiedTooOften(int deaths, Throwable lastCause) implements CallOutcome {
  }

  /**
   * The platform failed, not the user's code: routing failed ({@code replica} empty) or the call to
   * {@code replica} failed otherwise than by its death (HTTP 500).
   */
  record Failed(Optional<ReplicaId> replica, Throwable cause) implements CallOutcome {
  }
}
