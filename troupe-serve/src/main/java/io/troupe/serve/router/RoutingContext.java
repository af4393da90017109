package io.troupe.serve.router;

import java.util.List;

/**
 * Everything a {@link RoutingPolicy} decides from. Immutable.
 *
 * @param request the request at the head of the queue
 * @param candidates every routable replica (none are known dead)
 * @param maxOngoingRequests a replica with this many queued is full
 * @param attempt 0 for the first try of this request, then one more per back-off
 */
public record RoutingContext(RoutingRequest request, List<ReplicaCandidate> candidates, int maxOngoingRequests,
    int attempt) {
  public RoutingContext {
    candidates = List.copyOf(candidates);
  }
}
