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
  private static final Map<ActorId, ReplicaContext> BY_ACTOR = new ConcurrentHashMap<>();

  /** The context of the replica whose code runs on this thread; empty outside replicas. */
  public static Optional<ReplicaContext> current() {
    return ActorContext.current().map(c -> BY_ACTOR.get(c.actorId()));
  }

  /** Called by the replica actor around the user object's life. Not for user code. */
  public static void register(ActorId actor, ReplicaContext ctx) {
    BY_ACTOR.put(actor, ctx);
  }

  /** Called by the replica actor when it stops. Not for user code. */
  public static void unregister(ActorId actor) {
    BY_ACTOR.remove(actor);
  }
}
