package io.troupe.serve.controller;

import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.DeploymentStatus;
import io.troupe.serve.api.DeploymentStatusTrigger;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One application (Ray Serve's {@code ApplicationState}): owns the reconcilers of its deployments and
 * derives the application's status from theirs.
 *
 * <p><b>Threading.</b> Not thread-safe; runs on the controller's owner thread. <b>Authority.</b> The
 * set of deployments and the route prefix are authoritative here; deployment state lives in the
 * {@link DeploymentStateManager}s.
 */
public final class ApplicationStateManager {
  private final String name;
  private final ClusterOps ops;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final Map<String, DeploymentStateManager> deployments = new LinkedHashMap<>();
  private Optional<String> routePrefix;
  private String ingress;
  private boolean deleting;
  private String buildError;
  private Instant lastDeployedAt;

  ApplicationStateManager(String name, ClusterOps ops, InstantSource clock, RandomGenerator random) {
    this.name = name;
    this.ops = ops;
    this.clock = clock;
    this.random = random;
    this.routePrefix = Optional.empty();
    this.lastDeployedAt = clock.instant();
  }

  static ApplicationStateManager restore(ControllerCheckpoint.App cp, java.util.Set<io.troupe.serve.api.ReplicaId> alive,
      ClusterOps ops, InstantSource clock, RandomGenerator random) {
    ApplicationStateManager a = new ApplicationStateManager(cp.name(), ops, clock, random);
    a.routePrefix = cp.routePrefix();
    a.ingress = cp.ingress();
    a.deleting = cp.deleting();
    for (ControllerCheckpoint.Deployment d : cp.deployments()) {
      a.deployments.put(d.target().id().name(), DeploymentStateManager.restore(d, alive, ops, clock, random));
    }
    return a;
  }

  /**
   * Deploys (or redeploys) the app: existing deployments get their new target, new ones are
   * created, ones no longer in the app are deleted. An autoscaled deployment keeps its current
   * replica count (within the new bounds).
   */
  void deploy(Optional<String> prefix, String ingressName, List<DeploymentTarget> targets) {
    routePrefix = prefix;
    ingress = ingressName;
    deleting = false;
    buildError = null;
    lastDeployedAt = clock.instant();
    List<String> names = new ArrayList<>();
    for (DeploymentTarget t : targets) {
      names.add(t.id().name());
      DeploymentStateManager existing = deployments.get(t.id().name());
      if (existing == null) {
        deployments.put(t.id().name(), new DeploymentStateManager(t, ops, clock, random));
        continue;
      }
      DeploymentTarget next = t;
      if (t.config().autoscaling().isPresent() && existing.target().config().autoscaling().isPresent()) {
        var as = t.config().autoscaling().get();
        next = t.withNumReplicas(Math.clamp(existing.target().numReplicas(), as.minReplicas(), as.maxReplicas()));
      }
      existing.deploy(next);
    }
    deployments.forEach((n, d) -> {
      if (!names.contains(n)) {
        d.delete();
      }
    });
  }

  /** The app could not be built (import path, builder, options); it stays DEPLOY_FAILED. */
  void buildFailed(String error) {
    buildError = error;
    lastDeployedAt = clock.instant();
  }

  void delete() {
    deleting = true;
    deployments.values().forEach(DeploymentStateManager::delete);
  }

  /** Reconciles every deployment and forgets deleted ones; true when replicas await launch. */
  boolean reconcile() {
    boolean launch = false;
    for (DeploymentStateManager d : deployments.values()) {
      launch |= d.reconcile();
    }
    deployments.values().removeIf(DeploymentStateManager::isDeleted);
    return launch;
  }

  void launchPending() {
    deployments.values().forEach(DeploymentStateManager::launchPending);
  }

  boolean isDeleted() {
    return deleting && deployments.isEmpty();
  }

  public String name() {
    return name;
  }

  public Optional<String> routePrefix() {
    return routePrefix;
  }

  Map<String, DeploymentStateManager> deployments() {
    return deployments;
  }

  /** The app's status from its deployments' (Ray's rules). */
  public ApplicationStatus status() {
    if (deleting) {
      return ApplicationStatus.DELETING;
    }
    if (buildError != null) {
      return ApplicationStatus.DEPLOY_FAILED;
    }
    if (deployments.isEmpty()) {
      return ApplicationStatus.NOT_STARTED;
    }
    boolean updating = false;
    boolean unhealthy = false;
    for (DeploymentStateManager d : live()) {
      switch (d.status()) {
        case DEPLOY_FAILED -> {
          return ApplicationStatus.DEPLOY_FAILED;
        }
        case UPDATING -> updating = true;
        case UPSCALING, DOWNSCALING -> updating |= d.trigger() != DeploymentStatusTrigger.AUTOSCALING;
        case UNHEALTHY -> unhealthy = true;
        case HEALTHY -> { }
      }
    }
    // Removed deployments still draining keep the app deploying.
    updating |= deployments.values().stream().anyMatch(DeploymentStateManager::deleting);
    return updating ? ApplicationStatus.DEPLOYING
        : unhealthy ? ApplicationStatus.UNHEALTHY : ApplicationStatus.RUNNING;
  }

  /** Why the app is in its status: the first failing or unhealthy deployment's message. */
  public String message() {
    if (buildError != null) {
      return "Deploying application '" + name + "' failed: " + buildError;
    }
    for (DeploymentStateManager d : live()) {
      if (d.status() == DeploymentStatus.DEPLOY_FAILED) {
        return "Deploying application '" + name + "' failed: deployment '" + d.target().id().name() + "': "
            + d.message();
      }
    }
    for (DeploymentStateManager d : live()) {
      if (d.status() == DeploymentStatus.UNHEALTHY) {
        return "The deployment '" + d.target().id().name() + "' is UNHEALTHY: " + d.message();
      }
    }
    return "";
  }

  private List<DeploymentStateManager> live() {
    return deployments.values().stream().filter(d -> !d.deleting()).toList();
  }

  ServeStatus.Application statusSnapshot() {
    Map<String, ServeStatus.Deployment> ds = new LinkedHashMap<>();
    deployments.forEach((n, d) -> ds.put(n, d.statusSnapshot()));
    return new ServeStatus.Application(name, routePrefix, status(), message(), lastDeployedAt,
        ingress == null ? "" : ingress, ds);
  }

  ControllerCheckpoint.App checkpoint() {
    return new ControllerCheckpoint.App(name, routePrefix, ingress == null ? "" : ingress, deleting,
        deployments.values().stream().map(DeploymentStateManager::checkpoint).toList());
  }

  Optional<DeploymentStateManager> deployment(DeploymentId id) {
    return Optional.ofNullable(deployments.get(id.name()));
  }
}
