package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.runtime.api.NodeServices;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeException;
import io.troupe.runtime.protocol.ActorSpec;
import io.troupe.runtime.protocol.ControlCommand;
import io.troupe.runtime.protocol.ControlCommand.Reply;
import io.troupe.runtime.protocol.PayloadCodec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** {@link Troupe} for code running on a node: control operations go to the control service. */
final class ClusterClient implements Troupe {
  static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(15);

  private final ActorSystem<?> system;
  private final ActorRef<ControlCommand> control;
  private final CallRouter router;
  private final NodeId nodeId;
  private final NodeMetrics metrics;
  private final NodeServices services;

  ClusterClient(ActorSystem<?> system, ActorRef<ControlCommand> control, CallRouter router, NodeId nodeId,
      NodeMetrics metrics, NodeServices services) {
    this.system = system;
    this.control = control;
    this.router = router;
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.services = services;
  }

  @Override
  public NodeMetrics metrics() {
    return metrics;
  }

  @Override
  public NodeServices nodeServices() {
    return services;
  }

  <T> CompletionStage<T> ask(java.util.function.Function<ActorRef<T>, ControlCommand> msg) {
    return AskPattern.ask(control, msg::apply, CONTROL_TIMEOUT, system.scheduler());
  }

  @Override
  public <T> ActorHandle<T> createActor(Class<T> type, ActorOptions options, Object... args) {
    options = captured(options);
    ActorSpec spec = new ActorSpec(new ActorId(newId()), type.getName(), PayloadCodec.encode(args), options, nodeId);
    if (options.name() == null && !(options.strategy() instanceof io.troupe.runtime.api.SchedulingStrategy.InPlacementGroup)) {
      // Nothing the control service could refuse (no name to clash, no group to check): return at once,
      // as Ray does, so creations pipeline; calls queue in the router until the actor is ALIVE.
      router.expectCreation(spec.id());
      this.<Reply.ActorReply>ask(r -> new ControlCommand.CreateActor(spec, r)).whenComplete((reply, err) -> {
        String error = err != null ? "the control service did not answer the creation of actor " + spec.id()
            + " (is the head alive?): " + err : reply.error();
        if (error != null) {
          router.creationFailed(spec.id(), error);
        }
      });
      return new Handle<>(spec.id());
    }
    Reply.ActorReply reply = await(this.<Reply.ActorReply>ask(r -> new ControlCommand.CreateActor(spec, r)));
    if (reply.error() != null) {
      throw new TroupeException(reply.error());
    }
    return new Handle<>(spec.id());
  }

  /** Inside a group's actor, a default-strategy actor is captured into the same group. */
  static ActorOptions captured(ActorOptions options) {
    Optional<io.troupe.runtime.api.ActorContext> ctx = io.troupe.runtime.api.ActorContext.current();
    if (options.strategy() instanceof io.troupe.runtime.api.SchedulingStrategy.Default && ctx.isPresent()
        && ctx.get().capturesChildren() && ctx.get().placementGroup().isPresent()) {
      return options.toBuilder().strategy(io.troupe.runtime.api.SchedulingStrategy.inGroup(
          ctx.get().placementGroup().get())).build();
    }
    return options;
  }

  @Override
  public PlacementGroupId createPlacementGroup(PlacementGroupSpec spec) {
    Optional<io.troupe.runtime.api.ActorContext> ctx = io.troupe.runtime.api.ActorContext.current();
    PlacementGroupSpec.Builder b = PlacementGroupSpec.builder().bundles(spec.bundles()).strategy(spec.strategy())
        .lifetime(spec.lifetime());
    spec.name().ifPresent(b::name);
    spec.gang().ifPresent(b::gang);
    // Owner: the creating actor, else this node (the driver); a nested group's parent is the caller's group.
    b.owner(!spec.owner().isEmpty() ? spec.owner()
        : ctx.map(c -> c.actorId().value()).orElse(nodeId.value()));
    Optional<PlacementGroupId> parent = spec.parent().isPresent() ? spec.parent()
        : ctx.flatMap(io.troupe.runtime.api.ActorContext::placementGroup);
    parent.ifPresent(b::parent);
    PlacementGroupSpec full = b.build();
    Reply.GroupCreated r = await(this.<Reply.GroupCreated>ask(ref -> new ControlCommand.CreateGroup(full, ref)));
    if (r.error() != null) {
      throw new PlacementGroupException(r.error());
    }
    return r.id();
  }

  @Override
  public CompletableFuture<PlacementGroupInfo> waitPlacementGroupReady(PlacementGroupId id, Duration timeout) {
    return AskPattern.<ControlCommand, Reply.Group>ask(control,
            ref -> new ControlCommand.WaitGroupReady(id, timeout.toMillis(), ref), timeout.plus(CONTROL_TIMEOUT),
            system.scheduler())
        .toCompletableFuture().thenApply(g -> {
          if (g.error() != null) {
            throw new PlacementGroupException(g.error());
          }
          return g.info();
        });
  }

  @Override
  public CompletableFuture<Optional<PlacementGroupInfo>> placementGroup(PlacementGroupId id) {
    return this.<Reply.Group>ask(ref -> new ControlCommand.GetGroup(id, null, ref)).toCompletableFuture()
        .thenApply(g -> Optional.ofNullable(g.info()));
  }

  @Override
  public CompletableFuture<Optional<PlacementGroupInfo>> placementGroupByName(String name) {
    return this.<Reply.Group>ask(ref -> new ControlCommand.GetGroup(null, name, ref)).toCompletableFuture()
        .thenApply(g -> Optional.ofNullable(g.info()));
  }

  @Override
  public CompletableFuture<List<PlacementGroupInfo>> placementGroups() {
    return this.<Reply.Groups>ask(ControlCommand.ListGroups::new).toCompletableFuture().thenApply(Reply.Groups::groups);
  }

  @Override
  public CompletableFuture<Void> removePlacementGroup(PlacementGroupId id) {
    return this.<Reply.Ack>ask(r -> new ControlCommand.RemoveGroup(id, r)).toCompletableFuture()
        .thenApply(a -> {
          if (a.error() != null) {
            throw new PlacementGroupException(a.error());
          }
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> kvPut(String key, byte[] value) {
    if (key == null || key.isEmpty() || value == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("kvPut needs a non-empty key and a value"));
    }
    return this.<Reply.Ack>ask(r -> new ControlCommand.KvPut(key, value, r)).toCompletableFuture()
        .thenApply(a -> {
          if (a.error() != null) {
            throw new TroupeException(a.error());
          }
          return null;
        });
  }

  @Override
  public CompletableFuture<Optional<byte[]>> kvGet(String key) {
    return this.<Reply.KvValue>ask(r -> new ControlCommand.KvGet(key, r)).toCompletableFuture()
        .thenApply(v -> Optional.ofNullable(v.value()));
  }

  @Override
  public CompletableFuture<Void> kvDelete(String key) {
    return this.<Reply.Ack>ask(r -> new ControlCommand.KvPut(key, null, r)).toCompletableFuture()
        .thenApply(a -> null);
  }

  @Override
  public CompletableFuture<List<String>> kvKeys(String prefix) {
    return this.<Reply.KvKeyList>ask(r -> new ControlCommand.KvKeys(prefix == null ? "" : prefix, r))
        .toCompletableFuture().thenApply(Reply.KvKeyList::keys);
  }

  static String newId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  @Override
  public <T> Optional<ActorHandle<T>> getActor(String name, Class<T> type) {
    Reply.Lookup r = await(this.<Reply.Lookup>ask(ref -> new ControlCommand.LookupActor(null, name, ref)));
    if (r.info() == null || r.info().state() == ActorState.DEAD) {
      return Optional.empty();
    }
    return Optional.of(new Handle<>(r.info().actorId()));
  }

  @Override
  public <T> ActorHandle<T> handle(ActorId id, Class<T> type) {
    return new Handle<>(id);
  }

  @Override
  public CompletableFuture<Void> kill(ActorId id) {
    return this.<Reply.Ack>ask(r -> new ControlCommand.KillActor(id, "killed by user", r)).toCompletableFuture()
        .thenApply(a -> {
          if (a.error() != null) {
            throw new TroupeException(a.error());
          }
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> fail(ActorId id, int incarnation, String cause) {
    return this.<Reply.Ack>ask(r -> new ControlCommand.FailActor(id, incarnation, cause, r)).toCompletableFuture()
        .thenApply(a -> null);
  }

  CompletableFuture<ActorInfo> info(ActorId id) {
    return this.<Reply.Lookup>ask(r -> new ControlCommand.LookupActor(id, null, r)).toCompletableFuture()
        .thenApply(l -> {
          if (l.error() != null) {
            throw new TroupeException(l.error());
          }
          return l.info();
        });
  }

  @Override
  public CompletableFuture<ActorInfo> waitAlive(ActorId id, Duration timeout) {
    CompletableFuture<ActorInfo> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    poll(id, deadline, result, null);
    return result;
  }

  private void poll(ActorId id, long deadline, CompletableFuture<ActorInfo> result, ActorInfo last) {
    if (System.nanoTime() > deadline) {
      result.completeExceptionally(new TimeoutException("actor " + id + " not alive in time; last state "
          + (last == null ? "unknown" : last.state() + (last.pendingReason() == null ? "" : " (" + last.pendingReason() + ")"))));
      return;
    }
    info(id).whenComplete((info, err) -> {
      if (err == null && info.state() == ActorState.ALIVE) {
        result.complete(info);
      } else if (err == null && info.state() == ActorState.DEAD) {
        result.completeExceptionally(new ActorDiedException(id, info.deathCause()));
      } else {
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)
            .execute(() -> poll(id, deadline, result, err == null ? info : last));
      }
    });
  }

  @Override
  public CompletableFuture<ClusterStatus> status() {
    return this.<Reply.Status>ask(ControlCommand.GetStatus::new).toCompletableFuture().thenApply(Reply.Status::status);
  }

  @Override
  public CompletableFuture<List<ActorInfo>> actors() {
    return this.<Reply.Actors>ask(ControlCommand.ListActors::new).toCompletableFuture().thenApply(Reply.Actors::actors);
  }

  @Override
  public NodeId nodeId() {
    return nodeId;
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(CONTROL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TroupeException("interrupted while waiting for the control service");
    } catch (ExecutionException | CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof TroupeException t) {
        throw t;
      }
      throw new TroupeException("control service did not answer (is the head alive?): " + c, c);
    } catch (TimeoutException e) {
      throw new TroupeException("control service did not answer in time (is the head alive?)");
    }
  }

  private final class Handle<T> implements ActorHandle<T> {
    private final ActorId id;

    Handle(ActorId id) {
      this.id = id;
    }

    @Override
    public ActorId id() {
      return id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> call(String method, Object... args) {
      return (CompletableFuture<R>) router.call(id, method, args == null ? new Object[0] : args);
    }

    @Override
    public CompletableFuture<ActorInfo> info() {
      return ClusterClient.this.info(id);
    }

    @Override
    public String toString() {
      return "ActorHandle(" + id + ")";
    }
  }
}
