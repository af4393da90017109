package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.ReplicaId;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Actor handles of replicas, shared by the cluster wiring (which adds a replica's handle when it
 * starts and drops it when it stops) and the data plane (proxy, routers), which looks handles up by
 * replica id. A replica not known here (started by an earlier controller) is found by its actor
 * name. Sends the data plane's requests ({@link ReplicaCall.Replicas}). Thread-safe.
 */
public final class ReplicaDirectory implements ReplicaCall.Replicas {
  private final Troupe troupe;
  private final Map<ReplicaId, ActorHandle<ReplicaActor>> handles = new ConcurrentHashMap<>();

  public ReplicaDirectory(Troupe troupe) {
    this.troupe = troupe;
  }

  void put(ReplicaId id, ActorHandle<ReplicaActor> handle) {
    handles.put(id, handle);
  }

  void remove(ReplicaId id) {
    handles.remove(id);
  }

  /**
   * Learns a replica's actor from a routing table, so {@link #handle} needs no name lookup at the
   * head (which blocks while the head is down). Thread-safe.
   */
  public void learn(ReplicaId id, ActorId actor) {
    handles.computeIfAbsent(id, k -> troupe.handle(actor, ReplicaActor.class));
  }

  /** The replica's actor handle; looks it up by name (a round trip to the head) when not known. */
  public ActorHandle<ReplicaActor> handle(ReplicaId id) {
    ActorHandle<ReplicaActor> h = handles.get(id);
    if (h != null) {
      return h;
    }
    h = troupe.getActor(id.toString(), ReplicaActor.class)
        .orElseThrow(() -> new io.troupe.serve.router.QueueLengthProber.ReplicaDeadException(
            "no replica actor named " + id));
    handles.put(id, h);
    return h;
  }

  @Override
  public CompletableFuture<ReplicaResult> send(ReplicaId replica, ReplicaRequest request) {
    ActorHandle<ReplicaActor> h = handle(replica);
    return switch (request) {
      case ReplicaRequest.Http http -> h.call(ReplicaActor::handleRequest, http.request());
      case ReplicaRequest.Invoke i -> h.call(ReplicaActor::invokeCancellable, i.requestId(), i.method(),
          new ArrayList<>(i.args()));
    };
  }

  /** Asks {@code replica} to cancel stream {@code streamId} (its consumer is gone). Fire and forget. */
  public void cancelStream(ReplicaId replica, long streamId) {
    handle(replica).call(ReplicaActor::cancelStream, streamId);
  }

  /**
   * The caller gave up on request {@code requestId} ({@code call} to {@code replica}): asks the replica
   * to interrupt it (frees its slot) and cancels a stream the call may still open. Fire and forget.
   */
  @Override
  public void cancel(ReplicaId replica, String requestId, CompletableFuture<ReplicaResult> call) {
    try {
      ActorHandle<ReplicaActor> h = handle(replica);
      h.call(ReplicaActor::cancelRequest, requestId);
      call.thenAccept(late -> {
        if (late instanceof ReplicaResult.Ok ok && ok.value() instanceof StreamRef ref) {
          h.call(ReplicaActor::cancelStream, ref.streamId());
        }
      });
    } catch (RuntimeException e) {
      System.getLogger(ReplicaDirectory.class.getName()).log(System.Logger.Level.DEBUG,
          "cancelling request " + requestId + " on " + replica + " failed", e);
    }
  }
}
