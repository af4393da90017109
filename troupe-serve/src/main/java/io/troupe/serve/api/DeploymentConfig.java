package io.troupe.serve.api;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of one deployment (Ray Serve's {@code DeploymentConfig} plus its actor and placement-group
 * options), with Ray's defaults. Built by {@link Builder}, whose unset fields let layers merge
 * (annotation &lt; code &lt; config file, see {@link DeploymentOptions}). Immutable and validated.
 *
 * @param name the deployment's name, unique in its application; null until bound (then the class's
 *     simple name)
 * @param version code version; a change rolls all replicas over. Null: derived from the class and
 *     its init args
 * @param numReplicas replicas to run without autoscaling; default 1
 * @param maxOngoingRequests requests one replica executes at once, enforced at the replica (and used
 *     by routers to skip full replicas); default 5
 * @param maxQueuedRequests requests a caller queues for this deployment before refusing more with
 *     {@link BackPressureException}; -1 (default) for no limit
 * @param userConfig JSON-like value (maps, lists, strings, numbers, booleans) delivered to the
 *     replica's reconfigure hook; changing it does not restart replicas. Null for none
 * @param autoscaling when present, the replica count follows load; then {@code numReplicas} must not
 *     be set
 * @param resources what each replica actor holds (CPU, GPU, memory, custom); default {@code {CPU: 1}}
 * @param placementGroupBundles when not empty, each replica gets its own placement group of these
 *     bundles; the replica runs in bundle 0 (its resources must fit there) and actors it creates are
 *     captured into the group
 * @param placementGroupStrategy how the per-replica group's bundles are laid out; default PACK
 * @param healthCheckPeriod time between health checks of a replica; default 10 s
 * @param healthCheckTimeout a health check not answered within this fails; default 30 s
 * @param gracefulShutdownWaitLoop while stopping, how often the replica checks for in-flight
 *     requests; default 2 s
 * @param gracefulShutdownTimeout a stopping replica is force-killed after this; default 20 s
 * @param requestRouter how callers choose among the replicas (config key {@code request_router}); default
 *     {@link RequestRouterConfig#POW2}. Changes in place: routers switch policy, replicas keep running
 * @param placementGroupGang when present (and with bundles), each replica's group is a gang with this policy:
 *     when a member (the replica or an actor it started in the group) or a bundle's node dies, the runtime
 *     restarts them all together at a new epoch, in place, instead of the controller replacing the replica. Used
 *     by multi-rank LLM replicas; empty by default (a replica that dies is replaced)
 */
public record DeploymentConfig(String name, String version, int numReplicas, int maxOngoingRequests,
    int maxQueuedRequests, Object userConfig, Optional<AutoscalingConfig> autoscaling, ResourceSet resources,
    List<Bundle> placementGroupBundles, PlacementStrategy placementGroupStrategy, Duration healthCheckPeriod,
    Duration healthCheckTimeout, Duration gracefulShutdownWaitLoop, Duration gracefulShutdownTimeout,
    RequestRouterConfig requestRouter, Optional<GangPolicy> placementGroupGang) {

  public static final int DEFAULT_MAX_ONGOING_REQUESTS = 5;
  public static final int UNLIMITED = -1;

  public DeploymentConfig {
    autoscaling = autoscaling == null ? Optional.empty() : autoscaling;
    placementGroupGang = placementGroupGang == null ? Optional.empty() : placementGroupGang;
    resources = resources == null ? ResourceSet.of(ResourceSet.CPU, 1) : resources;
    placementGroupBundles = placementGroupBundles == null ? List.of() : List.copyOf(placementGroupBundles);
    Objects.requireNonNull(placementGroupStrategy, "placementGroupStrategy");
    requestRouter = requestRouter == null ? RequestRouterConfig.POW2 : requestRouter;
    if (name != null && (name.isBlank() || name.contains("#"))) {
      throw new IllegalArgumentException("deployment name must not be blank or contain '#', got '" + name + "'");
    }
    if (numReplicas < 0) {
      throw new IllegalArgumentException("num_replicas must be >= 0, got " + numReplicas);
    }
    if (maxOngoingRequests < 1) {
      throw new IllegalArgumentException("max_ongoing_requests must be >= 1, got " + maxOngoingRequests);
    }
    if (maxQueuedRequests != UNLIMITED && maxQueuedRequests < 1) {
      throw new IllegalArgumentException("max_queued_requests must be -1 (no limit) or a positive integer, got "
          + maxQueuedRequests);
    }
    JsonValues.check("user_config", userConfig);
    positive("health_check_period_s", healthCheckPeriod);
    positive("health_check_timeout_s", healthCheckTimeout);
    notNegative("graceful_shutdown_wait_loop_s", gracefulShutdownWaitLoop);
    notNegative("graceful_shutdown_timeout_s", gracefulShutdownTimeout);
    if (!placementGroupBundles.isEmpty() && !resources.fitsIn(placementGroupBundles.get(0).resources())) {
      throw new IllegalArgumentException("the replica's resources " + resources
          + " must fit in the first placement group bundle " + placementGroupBundles.get(0)
          + ": the replica runs in bundle 0");
    }
  }

  private static void positive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be > 0, got " + AutoscalingConfig.seconds(d));
    }
  }

  private static void notNegative(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative()) {
      throw new IllegalArgumentException(key + " must be >= 0, got " + AutoscalingConfig.seconds(d));
    }
  }

  /** Replicas to run when first deployed: {@code numReplicas}, or the autoscaler's start count. */
  public int initialReplicas() {
    return autoscaling.map(AutoscalingConfig::startReplicas).orElse(numReplicas);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder with every field of this config set. */
  public Builder toBuilder() {
    Builder b = new Builder().name(name).version(version).maxOngoingRequests(maxOngoingRequests)
        .maxQueuedRequests(maxQueuedRequests).userConfig(userConfig).resources(resources)
        .healthCheckPeriod(healthCheckPeriod).healthCheckTimeout(healthCheckTimeout)
        .gracefulShutdownWaitLoop(gracefulShutdownWaitLoop).gracefulShutdownTimeout(gracefulShutdownTimeout)
        .requestRouter(requestRouter);
    if (autoscaling.isPresent()) {
      b.autoscaling(autoscaling.get());
    } else {
      b.numReplicas(numReplicas);
    }
    if (!placementGroupBundles.isEmpty()) {
      b.placementGroupBundles(placementGroupBundles).placementGroupStrategy(placementGroupStrategy);
    }
    placementGroupGang.ifPresent(b::placementGroupGang);
    return b;
  }

  /**
   * Builder whose fields stay unset (null) until set, so {@link #overlay} can merge layers. Not
   * thread-safe. {@link #build()} applies the defaults documented on {@link DeploymentConfig}.
   */
  public static final class Builder {
    private String name;
    private String version;
    private Integer numReplicas;
    private Integer maxOngoingRequests;
    private Integer maxQueuedRequests;
    private Object userConfig;
    private boolean userConfigSet;
    private AutoscalingConfig autoscaling;
    private ResourceSet resources;
    private List<Bundle> placementGroupBundles;
    private PlacementStrategy placementGroupStrategy;
    private Duration healthCheckPeriod;
    private Duration healthCheckTimeout;
    private Duration gracefulShutdownWaitLoop;
    private Duration gracefulShutdownTimeout;
    private RequestRouterConfig requestRouter;
    private GangPolicy placementGroupGang;

    public Builder name(String v) { name = v; return this; }
    public Builder version(String v) { version = v; return this; }
    public Builder numReplicas(int v) { numReplicas = v; return this; }
    public Builder maxOngoingRequests(int v) { maxOngoingRequests = v; return this; }
    public Builder maxQueuedRequests(int v) { maxQueuedRequests = v; return this; }
    public Builder userConfig(Object v) { userConfig = v; userConfigSet = true; return this; }
    public Builder autoscaling(AutoscalingConfig v) { autoscaling = v; return this; }
    public Builder resources(ResourceSet v) { resources = v; return this; }
    public Builder resources(Map<String, ? extends Number> v) { return resources(ResourceSet.of(v)); }
    public Builder placementGroupBundles(List<Bundle> v) { placementGroupBundles = v; return this; }
    public Builder placementGroupStrategy(PlacementStrategy v) { placementGroupStrategy = v; return this; }
    public Builder healthCheckPeriod(Duration v) { healthCheckPeriod = v; return this; }
    public Builder healthCheckTimeout(Duration v) { healthCheckTimeout = v; return this; }
    public Builder gracefulShutdownWaitLoop(Duration v) { gracefulShutdownWaitLoop = v; return this; }
    public Builder gracefulShutdownTimeout(Duration v) { gracefulShutdownTimeout = v; return this; }
    public Builder requestRouter(RequestRouterConfig v) { requestRouter = v; return this; }
    public Builder placementGroupGang(GangPolicy v) { placementGroupGang = v; return this; }

    /** Copies every field that is set in {@code top} over this builder's (top wins). */
    public Builder overlay(Builder top) {
      if (top.name != null) name = top.name;
      if (top.version != null) version = top.version;
      if (top.numReplicas != null) {
        numReplicas = top.numReplicas;
        autoscaling = top.autoscaling; // a layer that fixes the count replaces autoscaling below it
      }
      if (top.autoscaling != null) {
        autoscaling = top.autoscaling;
        numReplicas = top.numReplicas;
      }
      if (top.maxOngoingRequests != null) maxOngoingRequests = top.maxOngoingRequests;
      if (top.maxQueuedRequests != null) maxQueuedRequests = top.maxQueuedRequests;
      if (top.userConfigSet) {
        userConfig = top.userConfig;
        userConfigSet = true;
      }
      if (top.resources != null) resources = top.resources;
      if (top.placementGroupBundles != null) placementGroupBundles = top.placementGroupBundles;
      if (top.placementGroupStrategy != null) placementGroupStrategy = top.placementGroupStrategy;
      if (top.healthCheckPeriod != null) healthCheckPeriod = top.healthCheckPeriod;
      if (top.healthCheckTimeout != null) healthCheckTimeout = top.healthCheckTimeout;
      if (top.gracefulShutdownWaitLoop != null) gracefulShutdownWaitLoop = top.gracefulShutdownWaitLoop;
      if (top.gracefulShutdownTimeout != null) gracefulShutdownTimeout = top.gracefulShutdownTimeout;
      if (top.requestRouter != null) requestRouter = top.requestRouter;
      if (top.placementGroupGang != null) placementGroupGang = top.placementGroupGang;
      return this;
    }

    /** Validates and builds; throws {@link IllegalArgumentException} naming the offending option. */
    public DeploymentConfig build() {
      if (numReplicas != null && autoscaling != null) {
        throw new IllegalArgumentException(
            "manually setting num_replicas is not allowed when autoscaling_config is provided");
      }
      if (placementGroupStrategy != null && (placementGroupBundles == null || placementGroupBundles.isEmpty())) {
        throw new IllegalArgumentException(
            "if placement_group_strategy is provided, placement_group_bundles must also be provided");
      }
      if (placementGroupBundles != null && placementGroupBundles.isEmpty()) {
        throw new IllegalArgumentException("placement_group_bundles must not be empty when given");
      }
      return new DeploymentConfig(name, version, numReplicas != null ? numReplicas : 1,
          maxOngoingRequests != null ? maxOngoingRequests : DEFAULT_MAX_ONGOING_REQUESTS,
          maxQueuedRequests != null ? maxQueuedRequests : UNLIMITED, userConfig, Optional.ofNullable(autoscaling),
          resources, placementGroupBundles,
          placementGroupStrategy != null ? placementGroupStrategy : PlacementStrategy.PACK,
          healthCheckPeriod != null ? healthCheckPeriod : Duration.ofSeconds(10),
          healthCheckTimeout != null ? healthCheckTimeout : Duration.ofSeconds(30),
          gracefulShutdownWaitLoop != null ? gracefulShutdownWaitLoop : Duration.ofSeconds(2),
          gracefulShutdownTimeout != null ? gracefulShutdownTimeout : Duration.ofSeconds(20), requestRouter,
          Optional.ofNullable(placementGroupGang));
    }
  }
}
