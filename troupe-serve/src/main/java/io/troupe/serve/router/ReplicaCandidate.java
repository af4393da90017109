package io.troupe.serve.router;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.ReplicaId;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A replica a request could go to, as the router knows it now. Immutable.
 *
 * @param id the replica
 * @param node where it runs
 * @param sameNode true when it runs on the caller's node (no network hop)
 * @param queueLength cached queue length (ongoing requests), empty when unknown or expired
 * @param probeAge how old {@code queueLength} is, empty when unknown
 */
public record ReplicaCandidate(ReplicaId id, NodeId node, boolean sameNode, OptionalInt queueLength,
    Optional<Duration> probeAge) {
}
