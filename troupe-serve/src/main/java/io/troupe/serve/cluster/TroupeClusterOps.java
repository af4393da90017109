package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.controller.CheckpointCodec;
import io.troupe.serve.controller.ClusterOps;
import io.troupe.serve.controller.ControllerCheckpoint;
import io.troupe.serve.controller.DeploymentTarget;
import io.troupe.serve.controller.ReplicaRuntimeConfig;
import io.troupe.serve.controller.ReplicaStartSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link ClusterOps} on the Troupe runtime: each replica is a {@link ReplicaActor} named by its
 * replica id, optionally in bundle 0 of its own detached placement group. Every action runs
 * asynchronously (blocking steps such as actor creation on a virtual thread) and leaves a future
 * behind; {@link #poll} and {@link #pollHealth} only read those futures, so the controller thread
 * never blocks. A ready replica's liveness is re-checked through the control service at most every
 * {@code livenessPeriod}, which is how {@link #poll} learns of a crash or node loss.
 *
 * <p><b>Threading.</b> Actions and polls are called from the controller's one thread; futures
 * complete on runtime threads, so per-replica fields are volatile and the table is concurrent.
 * <b>Authority.</b> None: the controller owns the replica set; this class only mirrors outcomes.
 * The checkpoint goes to the control service's KV store ({@link #saveCheckpoint}).
 */
public final class TroupeClusterOps implements ClusterOps {
  private static final System.Logger LOG = System.getLogger(TroupeClusterOps.class.getName());
  /** Calls one replica actor may run at once; {@code max_ongoing_requests} is enforced inside it. */
  static final int ACTOR_CONCURRENCY = 10_000;
  /** Runs blocking steps (actor creation, draining) off the controller thread. */
  static final java.util.concurrent.Executor VIRTUAL = r -> Thread.ofVirtual().name("serve-ops").start(r);

  private final Troupe troupe;
  private final ReplicaDirectory directory;
  private final InstantSource clock;
  private final Duration startTimeout;
  private final Duration livenessPeriod;
  private final Map<ReplicaId, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicReference<ControllerCheckpoint> checkpoint = new AtomicReference<>();

  /** One replica as this wiring knows it. */
  private static final class Entry {
    volatile ActorHandle<ReplicaActor> handle;
    volatile NodeId node;
    volatile Optional<PlacementGroupId> group = Optional.empty();
    volatile CompletableFuture<ReplicaReport> action;
    volatile CompletableFuture<HealthReport> health;
    volatile CompletableFuture<ActorInfo> liveness;
    volatile Instant livenessAt = Instant.MIN;
    volatile String deadCause;
  }

  public TroupeClusterOps(Troupe troupe, ReplicaDirectory directory, InstantSource clock, Duration startTimeout,
      Duration livenessPeriod) {
    this.troupe = troupe;
    this.directory = directory;
    this.clock = clock;
    this.startTimeout = startTimeout;
    this.livenessPeriod = livenessPeriod;
  }

  @Override
  public void startReplica(ReplicaStartSpec spec) {
    Entry e = new Entry();
    entries.put(spec.id(), e);
    e.action = CompletableFuture.supplyAsync(() -> start(spec, e), VIRTUAL);
  }

  private ReplicaReport start(ReplicaStartSpec spec, Entry e) {
    try {
      SchedulingStrategy strategy = SchedulingStrategy.defaultStrategy();
      if (spec.placementGroup().isPresent()) {
        PlacementGroupId g = troupe.createPlacementGroup(spec.placementGroup().get());
        e.group = Optional.of(g);
        troupe.waitPlacementGroupReady(g, startTimeout).get();
        strategy = SchedulingStrategy.inGroup(g, 0);
      }
      ActorOptions options = ActorOptions.builder().name(spec.id().toString()).resources(spec.resources())
          .maxConcurrency(ACTOR_CONCURRENCY).maxRestarts(0).strategy(strategy).build();
      ActorHandle<ReplicaActor> h = troupe.createActor(ReplicaActor.class, options, spec.id().toString(),
          spec.className(), initArgs(spec), spec.runtime().userConfig(),
          spec.runtime().maxOngoingRequests());
      e.handle = h;
      ActorInfo info = troupe.waitAlive(h.id(), startTimeout).get();
      e.node = info.nodeId();
      directory.put(spec.id(), h);
      return new ReplicaReport.Ready(info.nodeId(), e.group, Optional.of(h.id()));
    } catch (Exception ex) {
      return new ReplicaReport.Failed(describe(ex), e.group);
    }
  }

  /** The constructor arguments as the replica gets them: bound deployments become handles. */
  static ArrayList<Object> initArgs(ReplicaStartSpec spec) {
    ArrayList<Object> out = new ArrayList<>();
    for (Object a : spec.initArgs()) {
      out.add(switch (a) {
        case BoundDeployment b -> DeploymentHandle.unbound(new DeploymentId(spec.id().deployment().app(), b.name()));
        case DeploymentTarget.HandleArg h ->
            DeploymentHandle.unbound(new DeploymentId(spec.id().deployment().app(), h.deployment()));
        case null -> null;
        default -> a;
      });
    }
    return out;
  }

  @Override
  public ReplicaReport poll(ReplicaId id) {
    Entry e = entries.get(id);
    if (e == null) {
      e = attach(id);
    }
    if (e.deadCause != null) {
      forget(id);
      return new ReplicaReport.Dead(e.deadCause);
    }
    CompletableFuture<ReplicaReport> a = e.action;
    if (!a.isDone()) {
      return new ReplicaReport.Pending();
    }
    ReplicaReport r = a.join();
    switch (r) {
      case ReplicaReport.Ready ready -> checkLiveness(id, e);
      case ReplicaReport.Stopped s -> forget(id);
      case ReplicaReport.Dead d -> forget(id);
      default -> { }
    }
    return r;
  }

  /** A replica this wiring did not start (controller restart): find it by name, as Ready or Dead. */
  private Entry attach(ReplicaId id) {
    Entry e = new Entry();
    entries.put(id, e);
    e.action = CompletableFuture.<ReplicaReport>supplyAsync(() -> {
      Optional<ActorHandle<ReplicaActor>> h = troupe.getActor(id.toString(), ReplicaActor.class);
      if (h.isEmpty()) {
        return new ReplicaReport.Dead("no replica actor named " + id);
      }
      e.handle = h.get();
      ActorInfo info = h.get().info().join();
      if (info.state() == ActorState.DEAD) {
        return new ReplicaReport.Dead(String.valueOf(info.deathCause()));
      }
      e.node = info.nodeId();
      Optional<PlacementGroupId> group = Optional.empty();
      try {
        group = troupe.placementGroupByName(ClusterOps.placementGroupName(id)).get(30, TimeUnit.SECONDS)
            .map(io.troupe.runtime.api.PlacementGroupInfo::id);
      } catch (Exception ex) {
        LOG.log(System.Logger.Level.DEBUG, "looking up the placement group of " + id + " failed", ex);
      }
      e.group = group;
      directory.put(id, h.get());
      return new ReplicaReport.Ready(info.nodeId(), group, Optional.of(h.get().id()));
    }, VIRTUAL).exceptionally(ex -> new ReplicaReport.Dead(describe(ex)));
    return e;
  }

  private void checkLiveness(ReplicaId id, Entry e) {
    CompletableFuture<ActorInfo> l = e.liveness;
    if (l != null && l.isDone()) {
      e.liveness = null;
      try {
        ActorInfo info = l.join();
        if (info.state() == ActorState.DEAD) {
          e.deadCause = "replica actor died: " + info.deathCause();
        }
      } catch (CompletionException ex) {
        if (ex.getCause() instanceof ActorDiedException died) {
          e.deadCause = "replica actor died: " + died.deathCause();
        }
      }
    }
    Instant now = clock.instant();
    if (e.liveness == null && e.handle != null && !now.isBefore(e.livenessAt.plus(livenessPeriod))) {
      e.livenessAt = now;
      e.liveness = e.handle.info();
    }
  }

  @Override
  public void reconfigure(ReplicaId id, ReplicaRuntimeConfig config) {
    Entry e = entries.get(id);
    if (e == null || e.handle == null) {
      return; // poll reports it dead or re-attaches it
    }
    e.action = e.handle.call(ReplicaActor::updateRuntime, config.userConfig(), config.maxOngoingRequests())
        .<ReplicaReport>thenApply(ok -> new ReplicaReport.Ready(e.node, e.group, Optional.of(e.handle.id())))
        .exceptionally(ex -> new ReplicaReport.Failed("reconfigure failed: " + describe(ex), e.group));
  }

  @Override
  public void checkHealth(ReplicaId id) {
    Entry e = entries.get(id);
    if (e == null || e.handle == null) {
      return;
    }
    e.health = e.handle.call(ReplicaActor::checkHealth).<HealthReport>thenApply(ok -> new HealthReport.Healthy())
        .exceptionally(ex -> new HealthReport.Unhealthy(describe(ex)));
  }

  @Override
  public HealthReport pollHealth(ReplicaId id) {
    Entry e = entries.get(id);
    CompletableFuture<HealthReport> h = e == null ? null : e.health;
    if (h == null) {
      return new HealthReport.Unhealthy("no health check running for " + id);
    }
    return h.isDone() ? h.join() : new HealthReport.Pending();
  }

  @Override
  public void stopReplica(ReplicaId id, Duration waitLoop, Duration timeout) {
    Entry e = entries.computeIfAbsent(id, k -> new Entry());
    directory.remove(id);
    CompletableFuture<ReplicaReport> prior = e.action;
    e.action = CompletableFuture.<ReplicaReport>supplyAsync(() -> {
      if (prior != null) {
        prior.exceptionally(x -> null).join(); // a start in flight finishes first, so its actor is known
      }
      ActorHandle<ReplicaActor> h = e.handle != null ? e.handle
          : troupe.getActor(id.toString(), ReplicaActor.class).orElse(null);
      if (h != null) {
        drain(h, waitLoop, timeout);
        troupe.kill(h.id()).exceptionally(x -> null).join();
      }
      return new ReplicaReport.Stopped();
    }, VIRTUAL).exceptionally(ex -> new ReplicaReport.Stopped());
  }

  /** Graceful part of a stop: refuse new requests, wait for in-flight ones until {@code timeout}. */
  private void drain(ActorHandle<ReplicaActor> h, Duration waitLoop, Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    try {
      int ongoing = h.call(ReplicaActor::startDraining).get(timeout.toMillis() + 1, TimeUnit.MILLISECONDS);
      while (ongoing > 0 && clock.instant().isBefore(deadline)) {
        Thread.sleep(Math.max(10, Math.min(waitLoop.toMillis(), Duration.between(clock.instant(), deadline).toMillis())));
        ongoing = h.call(ReplicaActor::queueLength).get(timeout.toMillis() + 1, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    } catch (Exception ex) {
      // dead or unresponsive: nothing to drain
    }
  }

  @Override
  public void removePlacementGroup(PlacementGroupId id) {
    troupe.removePlacementGroup(id).whenComplete((v, ex) -> {
      if (ex != null) {
        LOG.log(System.Logger.Level.WARNING, "removing serve placement group " + id + " failed", ex);
      }
    });
  }

  /**
   * Writes the checkpoint into the control service's KV store ({@link CheckpointCodec#KEY}), which
   * a head with {@code --state-dir} persists. Does not wait: the put is sent before the controller
   * starts the replicas it records (write-ahead), and the control service handles one message at a
   * time in arrival order, so it stores the checkpoint before it creates their groups or actors.
   * A failed put is logged; the controller saves again when something changes and every
   * {@code ServeController.RESAVE_PERIOD}.
   */
  @Override
  public void saveCheckpoint(ControllerCheckpoint cp) {
    checkpoint.set(cp);
    byte[] bytes = CheckpointCodec.encode(cp);
    troupe.kvPut(CheckpointCodec.KEY, bytes).whenComplete((v, ex) -> {
      if (ex != null) {
        LOG.log(System.Logger.Level.WARNING, "saving the serve controller checkpoint failed: " + describe(ex));
      }
    });
  }

  /** The last checkpoint the controller saved (the copy in this JVM). */
  public Optional<ControllerCheckpoint> lastCheckpoint() {
    return Optional.ofNullable(checkpoint.get());
  }

  private void forget(ReplicaId id) {
    entries.remove(id);
    directory.remove(id);
  }

  static String describe(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ActorDiedException d) {
      return d.deathCause() != null ? d.deathCause() : String.valueOf(d.getMessage());
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
