package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.protocol.ActorSpec;

/**
 * What the control service persists per actor so a restarted head can adopt running actors instead
 * of restarting them. {@code bundleIndex} is the bundle of its placement group it runs in (-1 none).
 */
public record ActorSnapshot(ActorSpec spec, long seq, ActorState state, NodeId nodeId, int incarnation,
    int numRestarts, String deathCause, int bundleIndex) {}
