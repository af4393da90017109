package io.troupe.runtime.protocol;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.NodeId;

/**
 * Everything needed to (re)create an actor on any node.
 *
 * @param args constructor arguments, encoded by {@link PayloadCodec}
 * @param callerNode the node whose code created it (the default policy tries it first)
 */
public record ActorSpec(ActorId id, String className, byte[] args, ActorOptions options, NodeId callerNode)
    implements CborMessage {}
