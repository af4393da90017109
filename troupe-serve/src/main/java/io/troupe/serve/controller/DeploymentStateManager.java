package io.troupe.serve.controller;

import static io.troupe.serve.api.ReplicaState.RECOVERING;
import static io.troupe.serve.api.ReplicaState.RUNNING;
import static io.troupe.serve.api.ReplicaState.STARTING;
import static io.troupe.serve.api.ReplicaState.STOPPING;
import static io.troupe.serve.api.ReplicaState.UPDATING;

import io.troupe.serve.api.DeploymentStatus;
import io.troupe.serve.api.DeploymentStatusTrigger;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.controller.ClusterOps.ReplicaReport;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The reconciler of one deployment (Ray Serve's {@code DeploymentState}): drives the actual replicas
 * toward the {@link DeploymentTarget}.
 *
 * <p><b>Threading.</b> Not thread-safe; every method runs on the controller's owner thread.
 * {@link #reconcile()} is the tick: it polls replicas through {@link ClusterOps}, runs health checks,
 * reconfigures in place, rolls over and scales, and never throws. New replicas are only recorded by
 * {@code reconcile}; {@link #launchPending()} starts them, so the controller can checkpoint them
 * first (write-ahead). {@link #update()} does both, for standalone use.
 *
 * <p><b>Authority.</b> The target is authoritative here (and in the checkpoint); the cluster is
 * authoritative for whether a replica is alive, learnt only through {@link ClusterOps#poll}.
 *
 * <p><b>Rollover.</b> A new {@link ReplicaVersion} (code or resources) starts up to
 * {@code max(1, 20% of target)} new replicas at a time and stops an old serving replica only while
 * the serving count stays at or above the target, so traffic never drops below the target during a
 * rollout. A new {@link ReplicaRuntimeConfig} (user_config, max_ongoing_requests) is applied in
 * place (UPDATING, still serving); num_replicas changes only start or stop the difference.
 *
 * <p><b>Parts.</b> This class owns the replica records and applies what its helpers decide:
 * {@link RolloutPlan} (what to start and stop), {@link ReplicaHealthChecks} (3-strike checks),
 * {@link StartRetryBudget} (constructor retries) and {@link DeploymentStatusTracker} (status,
 * trigger, message).
 */
public final class DeploymentStateManager {
  /** Consecutive failed health checks after which a replica is replaced (Ray's threshold). */
  public static final int HEALTH_FAILURE_THRESHOLD = 3;
  /** Upper bound of the constructor retry budget (Ray's MAX_DEPLOYMENT_CONSTRUCTOR_RETRY_COUNT). */
  public static final int MAX_CONSTRUCTOR_RETRIES = 20;
  /** Retries per target replica (Ray's MAX_PER_REPLICA_RETRY_COUNT). */
  public static final int MAX_PER_REPLICA_RETRIES = 3;

  private static final System.Logger LOG = System.getLogger(DeploymentStateManager.class.getName());

  private final ClusterOps ops;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final List<ReplicaRecord> replicas = new ArrayList<>();
  private DeploymentTarget target;
  private boolean deleting;
  private final DeploymentStatusTracker status = new DeploymentStatusTracker();
  private final StartRetryBudget budget = new StartRetryBudget();
  private long routingEpoch;

  public DeploymentStateManager(DeploymentTarget target, ClusterOps ops, InstantSource clock, RandomGenerator random) {
    this.target = target;
    this.ops = ops;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Re-creates the manager of a restarted controller: checkpointed replicas that the cluster still
   * reports alive are adopted (RECOVERING, no restart), or stopped if they were being stopped; the
   * others are forgotten and replaced by scaling.
   */
  static DeploymentStateManager restore(ControllerCheckpoint.Deployment cp, Set<ReplicaId> alive, ClusterOps ops,
      InstantSource clock, RandomGenerator random) {
    DeploymentStateManager m = new DeploymentStateManager(cp.target(), ops, clock, random);
    m.deleting = cp.deleting();
    m.status.trigger(DeploymentStatusTrigger.UNSPECIFIED);
    Instant now = clock.instant();
    for (ControllerCheckpoint.Replica r : cp.replicas()) {
      if (!alive.contains(r.id())) {
        continue;
      }
      ReplicaRecord rec = new ReplicaRecord(r.id(), r.version(), r.runtime(), RECOVERING, now);
      rec.launched = true;
      rec.node = r.node();
      rec.placementGroup = r.placementGroup();
      rec.actor = r.actor();
      m.replicas.add(rec);
      if (r.stopping()) {
        m.stop(rec);
      }
    }
    return m;
  }

  // ------------------------------------------------------------------ commands

  /** Sets a new target (a redeploy). Code/resource changes roll over; the rest updates in place. */
  public void deploy(DeploymentTarget next) {
    boolean restart = !next.version().equals(target.version());
    boolean inPlace = !next.runtime().equals(target.runtime());
    int before = target.numReplicas();
    target = next;
    // Deployed again while its replicas were being stopped (delete, then deploy of the same app):
    // new replicas must start, so it is updating, not still healthy.
    boolean wasDeleting = deleting;
    deleting = false;
    boolean failed = status.status() == DeploymentStatus.DEPLOY_FAILED;
    if (restart || inPlace || wasDeleting || failed) {
      if (restart || failed) {
        budget.reset();
      }
      status.set(DeploymentStatus.UPDATING, DeploymentStatusTrigger.CONFIG_UPDATE_STARTED, "");
    } else if (next.numReplicas() != before) {
      status.set(next.numReplicas() > before ? DeploymentStatus.UPSCALING : DeploymentStatus.DOWNSCALING,
          DeploymentStatusTrigger.CONFIG_UPDATE_STARTED, "");
    }
    routingEpoch++;
  }

  /** The autoscaler's decision: only the number of replicas changes. */
  public void scaleTo(int n) {
    if (deleting || n == target.numReplicas()) {
      return;
    }
    boolean up = n > target.numReplicas();
    target = target.withNumReplicas(n);
    if (status.status() != DeploymentStatus.UPDATING && status.status() != DeploymentStatus.DEPLOY_FAILED) {
      status.set(up ? DeploymentStatus.UPSCALING : DeploymentStatus.DOWNSCALING, DeploymentStatusTrigger.AUTOSCALING,
          "");
    }
  }

  /** Stops every replica; {@link #isDeleted()} once none is left. */
  public void delete() {
    deleting = true;
    status.trigger(DeploymentStatusTrigger.DELETING);
  }

  // ------------------------------------------------------------------ the tick

  /** Reconcile, then launch what it decided to start. */
  public void update() {
    reconcile();
    launchPending();
  }

  /**
   * One reconcile step; never throws. Returns true when it recorded new replicas that
   * {@link #launchPending()} will start (checkpoint before launching them).
   */
  public boolean reconcile() {
    Instant now = clock.instant();
    try {
      pollReplicas(now);
      ReplicaHealthChecks.run(replicas, target.config(), ops, now, (r, why) -> {
        unhealthy(why);
        stop(r);
      });
      if (deleting) {
        for (ReplicaRecord r : List.copyOf(replicas)) {
          if (!r.is(STOPPING)) {
            stop(r);
          }
        }
      } else {
        reconfigureInPlace();
        scale(now);
        updateStatus();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "reconciling " + target.id() + " failed", e);
      status.internalError("controller error while reconciling: " + e);
    }
    return replicas.stream().anyMatch(r -> !r.launched);
  }

  /** Starts the replicas {@link #reconcile()} recorded; never throws. */
  public void launchPending() {
    for (ReplicaRecord r : replicas) {
      if (!r.launched) {
        try {
          ops.startReplica(r.spec);
          r.launched = true;
          r.spec = null;
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "starting " + r.id + " failed; retrying next tick", e);
        }
      }
    }
  }

  private void pollReplicas(Instant now) {
    for (ReplicaRecord r : List.copyOf(replicas)) {
      if (!r.launched) {
        continue;
      }
      ReplicaReport report = ops.poll(r.id);
      switch (report) {
        case ReplicaReport.Pending p -> { }
        case ReplicaReport.Ready ready -> {
          r.node = Optional.of(ready.node());
          if (ready.actor().isPresent()) {
            r.actor = ready.actor();
          }
          if (ready.placementGroup().isPresent()) {
            r.placementGroup = ready.placementGroup();
          }
          if (r.is(STARTING, RECOVERING, UPDATING)) {
            if (r.is(UPDATING)) {
              r.runtime = r.pendingRuntime;
              r.pendingRuntime = null;
            } else {
              r.nextHealthCheckAt = now.plus(target.config().healthCheckPeriod());
            }
            r.state = RUNNING;
            if (r.version.equals(target.version())) {
              budget.started();
            }
            routingEpoch++;
          }
        }
        case ReplicaReport.Failed f -> {
          if (f.placementGroup().isPresent()) {
            r.placementGroup = f.placementGroup();
          }
          if (r.is(STARTING)) {
            startFailed(r, f.error());
          } else if (r.is(UPDATING, RUNNING)) {
            unhealthy("replica " + r.id + " failed: " + f.error());
          }
          if (r.is(STOPPING)) {
            remove(r);
          } else {
            stop(r);
          }
        }
        case ReplicaReport.Dead d -> {
          if (r.is(STARTING)) {
            startFailed(r, d.cause());
          } else if (r.is(UPDATING, RUNNING)) {
            unhealthy("replica " + r.id + " died: " + d.cause());
          }
          remove(r);
        }
        case ReplicaReport.Stopped s -> remove(r);
      }
    }
  }

  private void startFailed(ReplicaRecord r, String error) {
    if (r.version.equals(target.version())) {
      budget.failed(error);
    }
  }

  private void reconfigureInPlace() {
    ReplicaRuntimeConfig rt = target.runtime();
    for (ReplicaRecord r : replicas) {
      if (r.is(RUNNING) && r.version.equals(target.version()) && !r.runtime.equals(rt)) {
        ops.reconfigure(r.id, rt);
        r.pendingRuntime = rt;
        r.state = UPDATING;
      }
    }
  }

  private void scale(Instant now) {
    RolloutPlan plan = RolloutPlan.of(replicas, target.version(), target.numReplicas(), budgetExhausted());
    plan.stop().forEach(this::stop);
    for (int i = 0; i < plan.start(); i++) {
      replicas.add(newReplica(now));
    }
  }

  private boolean budgetExhausted() {
    return budget.exhausted(target.numReplicas());
  }

  private ReplicaRecord newReplica(Instant now) {
    ReplicaId id;
    do {
      id = new ReplicaId(target.id(), Long.toHexString(random.nextLong() & 0xffffffffL | 0x100000000L).substring(1));
    } while (find(id).isPresent());
    ReplicaRecord r = new ReplicaRecord(id, target.version(), target.runtime(), STARTING, now);
    r.spec = target.startSpec(id);
    return r;
  }

  private Optional<ReplicaRecord> find(ReplicaId id) {
    return replicas.stream().filter(r -> r.id.equals(id)).findFirst();
  }

  private void stop(ReplicaRecord r) {
    if (r.state.serving()) {
      routingEpoch++;
    }
    if (!r.launched) {
      replicas.remove(r);
      return;
    }
    r.state = STOPPING;
    ops.stopReplica(r.id, target.config().gracefulShutdownWaitLoop(), target.config().gracefulShutdownTimeout());
  }

  private void remove(ReplicaRecord r) {
    if (r.state.serving()) {
      routingEpoch++;
    }
    replicas.remove(r);
    r.placementGroup.ifPresent(ops::removePlacementGroup);
  }

  private void unhealthy(String why) {
    status.unhealthy(target.id().toString(), why);
  }

  private void updateStatus() {
    ReplicaVersion v = target.version();
    ReplicaRuntimeConfig rt = target.runtime();
    long running = 0;
    boolean other = false;
    for (ReplicaRecord r : replicas) {
      if (r.is(STOPPING)) {
        continue;
      }
      if (r.is(RUNNING) && r.version.equals(v) && r.runtime.equals(rt)) {
        running++;
      } else {
        other = true;
      }
    }
    status.afterReconcile(budget, target.numReplicas(), running, other);
  }

  // ------------------------------------------------------------------ views

  public DeploymentTarget target() {
    return target;
  }

  public DeploymentStatus status() {
    return status.status();
  }

  public DeploymentStatusTrigger trigger() {
    return status.trigger();
  }

  public String message() {
    return status.message();
  }

  public boolean deleting() {
    return deleting;
  }

  /** True once a deleted deployment has no replica left. */
  public boolean isDeleted() {
    return deleting && replicas.isEmpty();
  }

  /** Replicas that are running something right now (every state but STOPPING), for autoscaling. */
  public int activeReplicas() {
    return (int) replicas.stream().filter(r -> !r.is(STOPPING)).count();
  }

  /** Replicas that serve traffic (RUNNING or UPDATING). */
  public int servingReplicas() {
    return (int) replicas.stream().filter(r -> r.state.serving()).count();
  }

  public ServeStatus.Deployment statusSnapshot() {
    return new ServeStatus.Deployment(target.id().name(), status.status(), status.trigger(), status.message(),
        target.numReplicas(),
        replicas.stream().map(ReplicaRecord::status).toList());
  }

  /**
   * What routers of this deployment should use now: serving replicas, and adopted (RECOVERING)
   * ones whose node the checkpoint knows, so routers that kept routing to them through a controller
   * restart do not see them vanish for the tick it takes to re-attach.
   */
  public RoutingTable routingTable() {
    List<RoutingTable.Replica> serving = new ArrayList<>();
    for (ReplicaRecord r : replicas) {
      if ((r.state.serving() || r.is(RECOVERING)) && r.node.isPresent()) {
        serving.add(new RoutingTable.Replica(r.id, r.node.get(), r.actor));
      }
    }
    return new RoutingTable(target.id(), routingEpoch, serving, target.config().maxOngoingRequests(),
        target.config().maxQueuedRequests(), target.config().requestRouter(),
        target.config().autoscaling().map(a -> Math.max(1, a.metricsInterval().toMillis())).orElse(0L));
  }

  ControllerCheckpoint.Deployment checkpoint() {
    return new ControllerCheckpoint.Deployment(target, deleting, replicas.stream().map(ReplicaRecord::checkpoint)
        .toList());
  }

  /** Placement groups of the replicas this manager knows of. */
  Set<io.troupe.runtime.api.PlacementGroupId> placementGroups() {
    Set<io.troupe.runtime.api.PlacementGroupId> out = new java.util.HashSet<>();
    replicas.forEach(r -> r.placementGroup.ifPresent(out::add));
    return out;
  }

  /** Ids of the replicas this manager knows of. */
  Set<ReplicaId> replicaIds() {
    Set<ReplicaId> out = new java.util.HashSet<>();
    replicas.forEach(r -> out.add(r.id));
    return out;
  }
}
