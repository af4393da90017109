package io.troupe.serve.api;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a deployment's code can know about the replica it runs in (Ray Serve's
 * {@code serve.get_replica_context()}): available from the constructor on, in every method call and in
 * threads those start, for labelling the deployment's own metrics or logs. Immutable.
 *
 * @param replicaId this replica ({@code app#deployment#unique})
 */
public record ReplicaContext(ReplicaId replicaId) {

  /** The context of the replica whose code runs on this thread; empty outside replicas. */
  public static Optional<ReplicaContext> current() {
    return ActorContext.current().flatMap(c -> c.troupe().nodeServices().find(OnNode.class)
        .map(n -> n.byActor.get(c.actorId())));
  }

  /** Called by the replica actor around the user object's life. Not for user code. */
  public static void register(ActorContext actor, ReplicaContext ctx) {
    actor.troupe().nodeServices().get(OnNode.class, OnNode::new).byActor.put(actor.actorId(), ctx);
  }

  /** Called by the replica actor when it stops. Not for user code. */
  public static void unregister(ActorContext actor) {
    actor.troupe().nodeServices().find(OnNode.class).ifPresent(n -> n.byActor.remove(actor.actorId()));
  }

  /** The contexts of the replicas on one node (a node service). */
  static final class OnNode {
    private final Map<ActorId, ReplicaContext> byActor = new ConcurrentHashMap<>();
  }
}
