package io.troupe.serve.router;

import io.troupe.serve.api.ReplicaId;
import java.util.concurrent.CompletionStage;

/**
 * Asks a replica how many requests it has (Ray's {@code get_num_ongoing_requests} probe). The
 * wiring implements it with an actor call. The stage may complete on any thread; the router hands
 * completions to its owner executor. Complete exceptionally with
 * {@link ReplicaDeadException} when the replica is gone, so the router drops it at once.
 */
@FunctionalInterface
public interface QueueLengthProber {
  CompletionStage<Integer> probe(ReplicaId replica);

  /** The probed replica is dead (its actor is gone). */
  final class ReplicaDeadException extends RuntimeException {
    public ReplicaDeadException(String message) {
      super(message);
    }
  }
}
