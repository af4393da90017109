package io.troupe.serve.cluster;

import io.troupe.serve.api.ServeRequest;
import java.util.List;

/** What a {@link ReplicaCall} sends to the replica it is routed to. Immutable. */
public sealed interface ReplicaRequest {
  /** The caller's id of this request; the replica is asked to cancel it by this id on timeout. */
  String requestId();

  /** An HTTP request for an ingress ({@link ReplicaActor#handleRequest}). */
  record Http(String requestId, ServeRequest request) implements ReplicaRequest {
  }

  /** A call of the user's public method {@code method} through a handle ({@link ReplicaActor#invokeCancellable}). */
  record Invoke(String requestId, String method, List<Object> args) implements ReplicaRequest {
  }
}
