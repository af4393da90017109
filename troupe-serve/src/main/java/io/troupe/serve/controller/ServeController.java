package io.troupe.serve.controller;

import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.config.ApplicationConfig;
import io.troupe.serve.config.DeploymentOverride;
import io.troupe.serve.config.ServeConfig;
import java.time.InstantSource;
import java.util.ArrayList;
import io.troupe.serve.autoscaling.AutoscalingPolicies;
import io.troupe.serve.autoscaling.LoadMetrics;
import io.troupe.serve.autoscaling.OngoingRequestsPolicy;
import io.troupe.serve.spi.AutoscalingContext;
import io.troupe.serve.spi.AutoscalingDecision;
import io.troupe.serve.spi.AutoscalingState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The serve controller's logic (Ray Serve's {@code ServeController}), free of Pekko: applications by
 * name, deploy/apply/delete, the reconcile tick (with autoscaling from the load reported through
 * {@link #recordLoad}, kept in a {@link LoadMetrics} and decided by each deployment's policy), status snapshots, routing tables, checkpoint and restore. The wiring runs it in a cluster-singleton actor that calls {@link #update()} on a timer
 * (Ray: every 0.1 s) and forwards commands.
 *
 * <p><b>Threading.</b> Not thread-safe: one owner thread calls everything. <b>Authority.</b> This
 * class is authoritative for targets; it persists them with {@link ClusterOps#saveCheckpoint}
 * whenever a target changes and, write-ahead, before it starts replicas, so a restarted controller
 * ({@link #restore}) knows every replica it may have started.
 */
public final class ServeController {
  private final ClusterOps ops;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final Map<String, ApplicationStateManager> apps = new LinkedHashMap<>();
  private final Autoscaling autoscaling;
  private final LoadMetrics load;
  private final Map<DeploymentId, AutoscalingState> autoscalingStates = new HashMap<>();
  /** When each deployment's policy last ran; it runs again on new load, else after {@link #DECIDE_EVERY}. */
  private final Map<DeploymentId, java.time.Instant> decidedAt = new HashMap<>();
  private final Set<DeploymentId> newLoad = new HashSet<>();
  /**
   * A deployment without new load is decided again after this (its delays and stale reporters move with time);
   * with new load, on the next tick. Bounds the policy's work per tick with many deployments.
   */
  static final java.time.Duration DECIDE_EVERY = java.time.Duration.ofSeconds(1);
  /** The checkpoint last handed to {@link ClusterOps#saveCheckpoint}, and when. */
  private ControllerCheckpoint saved;
  private java.time.Instant savedAt = java.time.Instant.MIN;
  /** An unchanged checkpoint is saved again after this, in case an earlier write was lost. */
  static final java.time.Duration RESAVE_PERIOD = java.time.Duration.ofSeconds(10);

  /**
   * How the controller autoscales: where custom policies come from, and after how long a silent reporter
   * drops out at the least ({@link LoadMetrics#DEFAULT_MIN_STALE_AFTER}; tests use less).
   */
  public record Autoscaling(AutoscalingPolicies policies, java.time.Duration minStaleAfter) {
    /** The built-in policy; custom ones from this class's loader. */
    public static Autoscaling defaults() {
      return withLoader(ServeController.class.getClassLoader());
    }

    /** Custom policies from {@code loader} (the head's user classes). */
    public static Autoscaling withLoader(ClassLoader loader) {
      return new Autoscaling(new AutoscalingPolicies(loader, new OngoingRequestsPolicy()),
          LoadMetrics.DEFAULT_MIN_STALE_AFTER);
    }
  }

  public ServeController(ClusterOps ops, InstantSource clock, RandomGenerator random) {
    this(ops, clock, random, Autoscaling.defaults());
  }

  public ServeController(ClusterOps ops, InstantSource clock, RandomGenerator random, Autoscaling autoscaling) {
    this.ops = ops;
    this.clock = clock;
    this.random = random;
    this.autoscaling = autoscaling;
    this.load = new LoadMetrics(autoscaling.minStaleAfter());
  }

  /**
   * Records one load sample of a deployment from one reporter ({@code replica:<id>}: requests executing or
   * queued at that replica; {@code caller:<node>}: requests waiting at that node's callers for a replica),
   * taken at {@code at} on this controller's clock. Unknown deployments are ignored.
   */
  public void recordLoad(DeploymentId id, String reporter, java.time.Instant at, double ongoingRequests) {
    if (deployment(id).isPresent()) {
      load.record(id, reporter, at, ongoingRequests);
      newLoad.add(id);
    }
  }

  /** {@link #recordLoad} from reporter {@code operator}, sampled now (tests and manual feeds). */
  public void recordOngoingRequests(DeploymentId id, double total) {
    recordLoad(id, "operator", clock.instant(), total);
  }

  private void autoscale() {
    java.time.Instant now = clock.instant();
    Set<DeploymentId> known = new HashSet<>();
    for (ApplicationStateManager a : apps.values()) {
      for (DeploymentStateManager d : a.deployments().values()) {
        DeploymentId id = d.target().id();
        known.add(id);
        var config = d.target().config().autoscaling();
        if (config.isEmpty() || d.deleting()) {
          continue;
        }
        java.time.Instant last = decidedAt.get(id);
        if (!newLoad.contains(id) && last != null && now.isBefore(last.plus(DECIDE_EVERY))) {
          continue;
        }
        decidedAt.put(id, now);
        Set<String> replicas = new HashSet<>();
        d.replicaIds().forEach(r -> replicas.add("replica:" + r));
        var agg = load.aggregate(id, config.get(), now, rep -> !rep.startsWith("replica:") || replicas.contains(rep));
        if (agg.isEmpty()) {
          continue;
        }
        try {
          int current = d.target().numReplicas();
          AutoscalingDecision decision = autoscaling.policies().forConfig(config.get()).decide(new AutoscalingContext(
              id, config.get(), current, d.servingReplicas(), agg.get().totalOngoingRequests(), agg.get().history(),
              now, autoscalingStates.getOrDefault(id, AutoscalingState.INITIAL)));
          autoscalingStates.put(id, decision.state());
          int next = Math.max(config.get().minReplicas(), Math.min(config.get().maxReplicas(),
              decision.targetReplicas()));
          if (current == 0 && agg.get().totalOngoingRequests() > 0) {
            next = Math.max(next, 1); // cold start: a waiting request starts a replica at once, whatever the policy
          }
          if (next != current) {
            d.scaleTo(next);
          }
        } catch (RuntimeException e) {
          System.getLogger(ServeController.class.getName()).log(System.Logger.Level.WARNING,
              "autoscaling policy failed for " + id + "; keeping " + d.target().numReplicas() + " replicas", e);
        }
      }
    }
    load.deployments().forEach(id -> {
      if (!known.contains(id)) {
        load.forget(id);
      }
    });
    autoscalingStates.keySet().retainAll(known);
    decidedAt.keySet().retainAll(known);
    newLoad.clear();
  }

  // ------------------------------------------------------------------ commands

  /**
   * Deploys {@code app} under {@code name} (or redeploys it). Throws {@link ServeException} when
   * the route prefix is used by another application or the name is invalid; nothing changes then.
   */
  public void deploy(String name, Optional<String> routePrefix, Application app) {
    if (name == null || name.isBlank() || name.contains("#")) {
      throw new ServeException("application name must not be blank or contain '#', got '" + name + "'");
    }
    routePrefix.ifPresent(p -> apps.values().forEach(other -> {
      if (!other.name().equals(name) && other.routePrefix().equals(Optional.of(p))
          && other.status() != io.troupe.serve.api.ApplicationStatus.DELETING) {
        throw new ServeException("route_prefix '" + p + "' is already used by application '" + other.name() + "'");
      }
    }));
    List<DeploymentTarget> targets = app.deployments().stream().map(d -> DeploymentTarget.of(name, d)).toList();
    for (DeploymentTarget t : targets) {
      // an unloadable custom policy is refused here, before anything changes
      t.config().autoscaling().ifPresent(c -> {
        try {
          autoscaling.policies().forConfig(c);
        } catch (ServeException e) {
          throw new ServeException("deployment '" + t.id().name() + "': " + e.getMessage(), e);
        }
      });
    }
    apps.computeIfAbsent(name, n -> new ApplicationStateManager(n, ops, clock, random))
        .deploy(routePrefix, app.ingress().name(), targets);
  }

  /**
   * Applies a whole config declaratively (Ray's {@code serve deploy}): every application in it is
   * resolved, overridden and deployed; applications not in it are deleted. An application that
   * cannot be resolved or whose overrides are invalid is DEPLOY_FAILED with the reason; the others
   * still deploy.
   */
  public void apply(ServeConfig config, ApplicationResolver resolver) {
    Set<String> names = new HashSet<>();
    for (ApplicationConfig ac : config.applications()) {
      names.add(ac.name());
      Application app;
      try {
        app = withOverrides(resolver.resolve(ac), ac);
      } catch (Exception e) {
        apps.computeIfAbsent(ac.name(), n -> new ApplicationStateManager(n, ops, clock, random))
            .buildFailed(e.getMessage() != null ? e.getMessage() : e.toString());
        continue;
      }
      deploy(ac.name(), ac.routePrefix(), app);
    }
    for (String n : List.copyOf(apps.keySet())) {
      if (!names.contains(n)) {
        delete(n);
      }
    }
  }

  private static Application withOverrides(Application app, ApplicationConfig ac) {
    Map<String, BoundDeployment> byName = new LinkedHashMap<>();
    app.deployments().forEach(d -> byName.put(d.name(), d));
    for (DeploymentOverride o : ac.deployments()) {
      if (!byName.containsKey(o.name())) {
        throw new ServeException("the config overrides deployment '" + o.name() + "', which application '"
            + ac.name() + "' does not have; it has " + byName.keySet());
      }
    }
    return new Application(rebind(app.ingress(), ac, new LinkedHashMap<>()));
  }

  /** The graph again, with each deployment's options overlaid by the config's override. */
  private static BoundDeployment rebind(BoundDeployment d, ApplicationConfig ac, Map<String, BoundDeployment> done) {
    BoundDeployment prior = done.get(d.name());
    if (prior != null) {
      return prior;
    }
    List<Object> args = new ArrayList<>();
    for (Object a : d.initArgs()) {
      args.add(a instanceof BoundDeployment b ? rebind(b, ac, done) : a);
    }
    DeploymentConfig config = d.config();
    Optional<DeploymentOverride> o = ac.override(d.name());
    if (o.isPresent()) {
      try {
        config = config.toBuilder().overlay(o.get().toBuilder()).build();
      } catch (IllegalArgumentException e) {
        throw new ServeException("deployment '" + d.name() + "': " + e.getMessage());
      }
    }
    BoundDeployment out = new BoundDeployment(d.className(), config, args);
    done.put(d.name(), out);
    return out;
  }

  /** Deletes an application: its replicas drain and stop; it disappears when none is left. */
  public void delete(String name) {
    ApplicationStateManager a = apps.get(name);
    if (a != null) {
      a.delete();
    }
  }

  /** The autoscaler's (or an operator's) decision for one deployment; ignored for unknown ones. */
  public void scaleDeployment(DeploymentId id, int numReplicas) {
    deployment(id).ifPresent(d -> d.scaleTo(numReplicas));
  }

  // ------------------------------------------------------------------ the tick

  /**
   * One reconcile tick over every application; never throws. Saves the checkpoint whenever it
   * differs from the last one saved (a target, a replica's state, node or group changed) — in
   * particular before starting replicas, which it then starts (write-ahead) — and again every
   * {@link #RESAVE_PERIOD} in case a write was lost.
   */
  public void update() {
    autoscale();
    for (ApplicationStateManager a : apps.values()) {
      a.reconcile();
    }
    apps.values().removeIf(ApplicationStateManager::isDeleted);
    try {
      ControllerCheckpoint cp = checkpoint();
      java.time.Instant now = clock.instant();
      if (!cp.equals(saved) || !now.isBefore(savedAt.plus(RESAVE_PERIOD))) {
        ops.saveCheckpoint(cp);
        saved = cp;
        savedAt = now;
      }
    } catch (RuntimeException e) {
      System.getLogger(ServeController.class.getName()).log(System.Logger.Level.WARNING,
          "saving the serve checkpoint failed; not starting replicas until it succeeds", e);
      return;
    }
    apps.values().forEach(ApplicationStateManager::launchPending);
  }

  // ------------------------------------------------------------------ views

  public ServeStatus status() {
    Map<String, ServeStatus.Application> out = new LinkedHashMap<>();
    apps.forEach((n, a) -> out.put(n, a.statusSnapshot()));
    return new ServeStatus(out);
  }

  /** Routing tables of every deployment, for the wiring to push to routers when their epoch moves. */
  public Map<DeploymentId, RoutingTable> routingTables() {
    Map<DeploymentId, RoutingTable> out = new LinkedHashMap<>();
    apps.values().forEach(a -> a.deployments().values().forEach(d -> out.put(d.target().id(), d.routingTable())));
    return out;
  }

  public Optional<DeploymentStateManager> deployment(DeploymentId id) {
    return Optional.ofNullable(apps.get(id.app())).flatMap(a -> a.deployment(id));
  }

  public ControllerCheckpoint checkpoint() {
    return new ControllerCheckpoint(apps.values().stream().map(ApplicationStateManager::checkpoint).toList());
  }

  // ------------------------------------------------------------------ recovery

  /** A restarted controller and what it did to get there. */
  public record Restored(ServeController controller, RestoreReport report) {
  }

  /**
   * Rebuilds the controller from its last checkpoint and what the cluster reports: checkpointed
   * replicas that are alive are adopted (no restart), alive replicas the checkpoint does not know are
   * stopped, and serve placement groups whose replica was not adopted are removed.
   */
  public static Restored restore(ControllerCheckpoint cp, ClusterSnapshot cluster, ClusterOps ops,
      InstantSource clock, RandomGenerator random) {
    return restore(cp, cluster, ops, clock, random, Autoscaling.defaults());
  }

  /** {@link #restore} with the given autoscaling setup. */
  public static Restored restore(ControllerCheckpoint cp, ClusterSnapshot cluster, ClusterOps ops,
      InstantSource clock, RandomGenerator random, Autoscaling autoscaling) {
    ServeController c = new ServeController(ops, clock, random, autoscaling);
    Set<ReplicaId> known = new HashSet<>();
    for (ControllerCheckpoint.App a : cp.applications()) {
      c.apps.put(a.name(), ApplicationStateManager.restore(a, cluster.aliveReplicas(), ops, clock, random));
      a.deployments().forEach(d -> d.replicas().forEach(r -> known.add(r.id())));
    }
    Set<ReplicaId> adoptedOrStopping = new HashSet<>();
    c.apps.values().forEach(a -> a.deployments().values().forEach(d -> adoptedOrStopping.addAll(d.replicaIds())));
    List<ReplicaId> adopted = new ArrayList<>(adoptedOrStopping);
    adopted.sort(null);
    List<ReplicaId> lost = known.stream().filter(id -> !cluster.aliveReplicas().contains(id)).sorted().toList();
    List<ReplicaId> orphans = cluster.aliveReplicas().stream().filter(id -> !known.contains(id)).sorted().toList();
    for (ReplicaId o : orphans) {
      ops.stopReplica(o, java.time.Duration.ZERO, java.time.Duration.ZERO);
    }
    Set<String> owned = new HashSet<>();
    adoptedOrStopping.forEach(id -> owned.add(ClusterOps.placementGroupName(id)));
    List<PlacementGroupId> leaked = new ArrayList<>();
    cluster.servePlacementGroups().forEach((id, name) -> {
      if (name.startsWith(ClusterOps.PLACEMENT_GROUP_PREFIX) && !owned.contains(name)) {
        ops.removePlacementGroup(id);
        leaked.add(id);
      }
    });
    leaked.sort(null);
    return new Restored(c, new RestoreReport(adopted, orphans, lost, leaked));
  }
}
