package io.troupe.serve.router;

import io.troupe.serve.api.ReplicaId;
import java.util.List;

/**
 * A routing decision as a pure function (Ray Serve's {@code RequestRouter.choose_replicas}): from a
 * {@link RoutingContext}, ranked tiers of candidate replicas. {@link RequestRouter} probes the
 * first tier's replicas whose queue length it does not know, sends the request to the one with the
 * shortest queue that is not full, and falls through to the next tier when the whole tier is full;
 * when every tier is full it backs off and asks the policy again. Implementations must not block
 * or keep per-request state; randomness comes injected.
 */
@FunctionalInterface
public interface RoutingPolicy {
  List<List<ReplicaId>> rank(RoutingContext context);
}
