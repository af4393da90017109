package io.troupe.serve.router;

import io.troupe.serve.api.ReplicaId;
import java.util.List;
import java.util.Set;

/**
 * A routing decision as a function (Ray Serve's {@code RequestRouter.choose_replicas}): from a
 * {@link RoutingContext}, ranked tiers of candidate replicas. {@link RequestRouter} probes the
 * first tier's replicas whose queue length it does not know, sends the request to the one with the
 * shortest queue that is not full (ties broken at random), and falls through to the next tier when
 * the whole tier is full; when every tier is full it backs off and asks the policy again.
 * Implementations must not block or keep per-request state; randomness comes injected.
 *
 * <p>A policy may learn from where requests went ({@link #onAssigned}, Ray's {@code on_request_routed})
 * and must then forget replicas that left ({@link #onReplicasChanged}). The router calls every method on
 * its owner thread.
 */
@FunctionalInterface
public interface RoutingPolicy {
  List<List<ReplicaId>> rank(RoutingContext context);

  /** {@code request} was assigned to {@code replica}. */
  default void onAssigned(RoutingRequest request, ReplicaId replica) {
  }

  /** The routable replicas are now exactly {@code replicas}: state about any other one can go. */
  default void onReplicasChanged(Set<ReplicaId> replicas) {
  }
}
