package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorCallException;
import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.ActorUnavailableException;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.TroupeException;
import io.troupe.runtime.node.ActorHost;
import io.troupe.runtime.protocol.AgentCommand;
import io.troupe.runtime.protocol.ControlCommand.Reply;
import io.troupe.runtime.protocol.PayloadCodec;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The caller side of actor calls on one node. Keeps, per actor, where it lives and a FIFO of calls
 * made while it is being located, created or restarted, so calls through one node reach a
 * {@code maxConcurrency = 1} actor in the order they were made. Calls to actors on this node go
 * straight to the actor's mailbox without serialization; others go to the hosting node agent.
 * State changes pushed by the control service fail in-flight calls of a lost incarnation.
 *
 * <p>Thread-safe: each actor's entry is guarded by its own monitor.
 */
final class CallRouter {
  /** The side effects of routing; implemented with Pekko messages by {@link NodeRuntime}. */
  interface Transport {
    CompletionStage<Reply.Lookup> lookup(ActorId id);

    void send(ActorRef<AgentCommand> agent, AgentCommand.Invoke invoke);

    ActorRef<AgentCommand.InvokeReply> replyTo();

    NodeId localNode();

    Optional<ActorHost> localHost(ActorId id);
  }

  private enum Phase { UNRESOLVED, LOOKING_UP, WAITING, READY, DEAD }

  private record Call(String method, Object[] args, CompletableFuture<Object> result, PlacementGroupId group,
      long epoch) {}

  private static final class Entry {
    final ActorId id;
    Phase phase = Phase.UNRESOLVED;
    int incarnation = -1;
    NodeId node;
    ActorRef<AgentCommand> agent;
    String deathCause;
    final Deque<Call> queue = new ArrayDeque<>();
    final Map<Long, Call> inflight = new LinkedHashMap<>();

    Entry(ActorId id) {
      this.id = id;
    }
  }

  private final Transport transport;
  private final Map<ActorId, Entry> entries = new ConcurrentHashMap<>();
  private final Map<Long, Entry> callOwners = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  CallRouter(Transport transport) {
    this.transport = transport;
  }

  CompletableFuture<Object> call(ActorId id, String method, Object[] args) {
    ActorContext caller = ActorContext.current().orElse(null);
    Call call = new Call(method, args, new CompletableFuture<>(),
        caller == null ? null : caller.placementGroup().orElse(null), caller == null ? 0 : caller.epoch());
    Entry e = entries.computeIfAbsent(id, Entry::new);
    boolean lookup = false;
    synchronized (e) {
      switch (e.phase) {
        case DEAD -> call.result.completeExceptionally(new ActorDiedException(id, e.deathCause));
        case READY -> {
          if (e.queue.isEmpty()) {
            dispatch(e, call);
          } else {
            e.queue.add(call);
          }
        }
        case UNRESOLVED -> {
          e.queue.add(call);
          e.phase = Phase.LOOKING_UP;
          lookup = true;
        }
        case LOOKING_UP, WAITING -> e.queue.add(call);
      }
    }
    if (lookup) {
      lookup(e);
    }
    return call.result;
  }

  /** Must hold e's monitor. */
  private void dispatch(Entry e, Call call) {
    if (transport.localNode().equals(e.node)) {
      Optional<ActorHost> host = transport.localHost(e.id);
      if (host.isPresent() && host.get().incarnation() == e.incarnation) {
        String fenced = Fencing.check(call.group, call.epoch, host.get().context());
        if (fenced != null) {
          call.result.completeExceptionally(new io.troupe.runtime.api.StaleEpochException(fenced));
          return;
        }
        host.get().invoke(call.method, call.args).whenComplete((v, err) -> {
          if (err != null) {
            call.result.completeExceptionally(wrap(err));
          } else {
            call.result.complete(v);
          }
        });
        return;
      }
    }
    byte[] payload;
    try {
      payload = PayloadCodec.encode(call.args);
    } catch (IllegalArgumentException ex) {
      call.result.completeExceptionally(ex);
      return;
    }
    long callId = ids.incrementAndGet();
    e.inflight.put(callId, call);
    callOwners.put(callId, e);
    transport.send(e.agent, new AgentCommand.Invoke(callId, e.id, e.incarnation, call.method, payload,
        transport.replyTo(), call.group, call.epoch));
  }

  private static Throwable wrap(Throwable t) {
    if (t instanceof TroupeException) {
      return t;
    }
    java.io.StringWriter sw = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(sw));
    return new ActorCallException(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()),
        t.getClass().getName(), sw.toString(), t);
  }

  private void lookup(Entry e) {
    transport.lookup(e.id).whenComplete((reply, err) -> {
      synchronized (e) {
        if (err != null) {
          e.phase = Phase.WAITING; // control service unreachable: retried by tick()
          return;
        }
        if (reply.error() != null) {
          fail(e, new TroupeException(reply.error()));
          e.phase = Phase.UNRESOLVED;
          return;
        }
        if (e.phase != Phase.LOOKING_UP && e.incarnation >= reply.incarnation()) {
          return; // an update overtook the lookup
        }
        apply(e, reply.info(), reply.incarnation(), reply.agent());
      }
    });
  }

  /**
   * An actor this node just asked the control service to create: calls wait for its ALIVE push
   * instead of looking it up (it may not be registered yet when the first call is made).
   */
  void expectCreation(ActorId id) {
    Entry e = entries.computeIfAbsent(id, Entry::new);
    synchronized (e) {
      if (e.phase == Phase.UNRESOLVED) {
        e.phase = Phase.WAITING;
      }
    }
  }

  /** The creation of an actor expected here failed: its calls (queued or later) fail with {@code cause}. */
  void creationFailed(ActorId id, String cause) {
    Entry e = entries.computeIfAbsent(id, Entry::new);
    synchronized (e) {
      if (e.phase == Phase.READY) {
        return; // it was created after all
      }
      e.phase = Phase.DEAD;
      e.deathCause = cause;
      fail(e, new ActorDiedException(id, cause));
    }
  }

  /** A pushed state change from the control service. */
  void onUpdate(ActorInfo info, int incarnation, ActorRef<AgentCommand> agent) {
    Entry e = entries.get(info.actorId());
    if (e == null) {
      return;
    }
    synchronized (e) {
      if (incarnation < e.incarnation) {
        return;
      }
      apply(e, info, incarnation, agent);
    }
  }

  /** Must hold e's monitor. */
  private void apply(Entry e, ActorInfo info, int incarnation, ActorRef<AgentCommand> agent) {
    if (incarnation > e.incarnation) {
      failInflight(e, new ActorUnavailableException("actor " + e.id + " was lost while the call was in flight ("
          + (info.pendingReason() != null ? info.pendingReason() : info.state()) + "); it may or may not have run"));
    }
    e.incarnation = incarnation;
    if (info.state() == ActorState.DEAD) {
      e.phase = Phase.DEAD;
      e.deathCause = info.deathCause();
      fail(e, new ActorDiedException(e.id, info.deathCause()));
    } else if (info.state() == ActorState.ALIVE && agent != null) {
      e.phase = Phase.READY;
      e.node = info.nodeId();
      e.agent = agent;
      while (!e.queue.isEmpty()) {
        dispatch(e, e.queue.poll());
      }
    } else {
      e.phase = Phase.WAITING;
    }
  }

  void onReply(AgentCommand.InvokeReply r) {
    Entry e = callOwners.remove(r.callId());
    if (e == null) {
      return;
    }
    Call call;
    synchronized (e) {
      call = e.inflight.remove(r.callId());
      if (call == null) {
        return;
      }
      if (r.notHere()) {
        e.queue.addFirst(call);
        if (e.phase == Phase.READY) {
          e.phase = Phase.LOOKING_UP;
          lookup(e);
        }
        return;
      }
    }
    if (Fencing.EXCEPTION.equals(r.errorClass())) {
      call.result.completeExceptionally(new io.troupe.runtime.api.StaleEpochException(r.errorMessage()));
      return;
    }
    if (r.errorClass() != null) {
      call.result.completeExceptionally(new ActorCallException(r.errorClass()
          + (r.errorMessage() == null ? "" : ": " + r.errorMessage()), r.errorClass(), r.errorStack(), null));
      return;
    }
    try {
      call.result.complete(PayloadCodec.decode(r.result()));
    } catch (RuntimeException ex) {
      call.result.completeExceptionally(ex);
    }
  }

  /** Retries lookups of actors that have queued calls but no location (e.g. the head was away). */
  void tick() {
    for (Entry e : entries.values()) {
      boolean again = false;
      synchronized (e) {
        if (e.phase == Phase.WAITING && !e.queue.isEmpty()) {
          e.phase = Phase.LOOKING_UP;
          again = true;
        }
      }
      if (again) {
        lookup(e);
      }
    }
  }

  private void fail(Entry e, Throwable t) {
    failInflight(e, t);
    List<Call> queued = List.copyOf(e.queue);
    e.queue.clear();
    queued.forEach(c -> c.result.completeExceptionally(t));
  }

  private void failInflight(Entry e, Throwable t) {
    List<Map.Entry<Long, Call>> calls = List.copyOf(e.inflight.entrySet());
    e.inflight.clear();
    for (Map.Entry<Long, Call> c : calls) {
      callOwners.remove(c.getKey());
      c.getValue().result.completeExceptionally(t);
    }
  }
}
