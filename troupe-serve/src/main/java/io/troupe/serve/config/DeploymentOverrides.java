package io.troupe.serve.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.DeploymentConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one {@code deployments[i]} entry (Ray's deployment schema keys) into a builder. Stateless. */
final class DeploymentOverrides {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static final Set<String> KEYS = Set.of("name", "num_replicas", "max_ongoing_requests", "max_queued_requests",
      "user_config", "autoscaling_config", "graceful_shutdown_wait_loop_s", "graceful_shutdown_timeout_s",
      "health_check_period_s", "health_check_timeout_s", "ray_actor_options", "placement_group_bundles",
      "placement_group_strategy", "request_router");
  static final Set<String> ACTOR_KEYS = Set.of("num_cpus", "num_gpus", "memory", "resources");
  static final Set<String> AUTOSCALING_KEYS = Set.of("min_replicas", "initial_replicas", "max_replicas",
      "target_ongoing_requests", "metrics_interval_s", "look_back_period_s", "smoothing_factor",
      "upscaling_factor", "downscaling_factor", "upscale_delay_s", "downscale_delay_s", "downscale_to_zero_delay_s",
      "aggregation_function", "policy");

  private DeploymentOverrides() {
  }

  /** The options set in {@code n} (a map with {@link #KEYS}); the name is not part of the builder. */
  static DeploymentConfig.Builder toBuilder(YamlNode n) {
    n.map(KEYS);
    DeploymentConfig.Builder b = DeploymentConfig.builder();
    if (n.has("num_replicas")) b.numReplicas(n.get("num_replicas").integer());
    if (n.has("max_ongoing_requests")) b.maxOngoingRequests(n.get("max_ongoing_requests").integer());
    if (n.has("max_queued_requests")) b.maxQueuedRequests(n.get("max_queued_requests").integer());
    if (n.node().has("user_config")) b.userConfig(n.get("user_config").plain());
    if (n.has("autoscaling_config")) b.autoscaling(autoscaling(n.get("autoscaling_config")));
    if (n.has("graceful_shutdown_wait_loop_s")) {
      b.gracefulShutdownWaitLoop(n.get("graceful_shutdown_wait_loop_s").seconds());
    }
    if (n.has("graceful_shutdown_timeout_s")) {
      b.gracefulShutdownTimeout(n.get("graceful_shutdown_timeout_s").seconds());
    }
    if (n.has("health_check_period_s")) b.healthCheckPeriod(n.get("health_check_period_s").seconds());
    if (n.has("health_check_timeout_s")) b.healthCheckTimeout(n.get("health_check_timeout_s").seconds());
    if (n.has("ray_actor_options")) b.resources(actorResources(n.get("ray_actor_options")));
    if (n.has("placement_group_bundles")) {
      List<Bundle> bundles = new ArrayList<>();
      for (YamlNode bn : n.get("placement_group_bundles").list()) {
        bundles.add(Bundle.of(resources(bn)));
      }
      b.placementGroupBundles(bundles);
    }
    if (n.has("placement_group_strategy")) {
      YamlNode s = n.get("placement_group_strategy");
      try {
        b.placementGroupStrategy(PlacementStrategy.parse(s.string()));
      } catch (IllegalArgumentException e) {
        throw s.error(e.getMessage());
      }
    }
    if (n.has("request_router")) {
      YamlNode r = n.get("request_router");
      try {
        b.requestRouter(io.troupe.serve.api.RequestRouterConfig.fromValue(r.plain()));
      } catch (IllegalArgumentException e) {
        throw r.error(e.getMessage());
      }
    }
    try {
      // Range and cross-field checks. A strategy without bundles is checked against the code's bundles when the
      // override is applied (e.g. an LLM deployment derives its bundles from its model config).
      DeploymentConfig.Builder check = DeploymentConfig.builder().name("check").overlay(b);
      if (n.has("placement_group_strategy") && !n.has("placement_group_bundles")) {
        check.placementGroupBundles(List.of(Bundle.of(n.has("ray_actor_options")
            ? actorResources(n.get("ray_actor_options")) : ResourceSet.of(ResourceSet.CPU, 1))));
      }
      check.build();
    } catch (IllegalArgumentException e) {
      throw n.error(e.getMessage());
    }
    return b;
  }

  private static AutoscalingConfig autoscaling(YamlNode n) {
    n.map(AUTOSCALING_KEYS);
    AutoscalingConfig.Builder a = AutoscalingConfig.builder();
    if (n.has("min_replicas")) a.minReplicas(n.get("min_replicas").integer());
    if (n.has("initial_replicas")) a.initialReplicas(n.get("initial_replicas").integer());
    if (n.has("max_replicas")) a.maxReplicas(n.get("max_replicas").integer());
    if (n.has("target_ongoing_requests")) a.targetOngoingRequests(n.get("target_ongoing_requests").number());
    if (n.has("metrics_interval_s")) a.metricsInterval(n.get("metrics_interval_s").seconds());
    if (n.has("look_back_period_s")) a.lookBackPeriod(n.get("look_back_period_s").seconds());
    if (n.has("smoothing_factor")) a.smoothingFactor(n.get("smoothing_factor").number());
    if (n.has("upscaling_factor")) a.upscalingFactor(n.get("upscaling_factor").number());
    if (n.has("downscaling_factor")) a.downscalingFactor(n.get("downscaling_factor").number());
    if (n.has("upscale_delay_s")) a.upscaleDelay(n.get("upscale_delay_s").seconds());
    if (n.has("downscale_delay_s")) a.downscaleDelay(n.get("downscale_delay_s").seconds());
    if (n.has("downscale_to_zero_delay_s")) a.downscaleToZeroDelay(n.get("downscale_to_zero_delay_s").seconds());
    try {
      if (n.has("aggregation_function")) {
        a.aggregationFunction(AutoscalingConfig.Aggregation.parse(n.get("aggregation_function").string()));
      }
    } catch (IllegalArgumentException e) {
      throw n.get("aggregation_function").error(e.getMessage());
    }
    if (n.has("policy")) a.policy(n.get("policy").string());
    try {
      return a.build();
    } catch (IllegalArgumentException e) {
      throw n.error(e.getMessage());
    }
  }

  private static ResourceSet actorResources(YamlNode n) {
    n.map(ACTOR_KEYS);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(ResourceSet.CPU, n.has("num_cpus") ? n.get("num_cpus").number() : 1.0);
    if (n.has("num_gpus")) m.put(ResourceSet.GPU, n.get("num_gpus").number());
    if (n.has("memory")) m.put(ResourceSet.MEMORY, (double) n.get("memory").longValue());
    if (n.has("resources")) {
      YamlNode r = n.get("resources");
      for (Map.Entry<String, Double> e : resources(r).toMap().entrySet()) {
        m.put(e.getKey(), e.getValue());
      }
    }
    try {
      return ResourceSet.of(m);
    } catch (IllegalArgumentException e) {
      throw n.error(e.getMessage());
    }
  }

  private static ResourceSet resources(YamlNode n) {
    if (!n.node().isObject()) {
      throw n.error("expected a map of resource name to quantity, got " + YamlNode.describe(n.node()));
    }
    Map<String, Double> m = new LinkedHashMap<>();
    n.node().fieldNames().forEachRemaining(k -> m.put(k, n.get(k).number()));
    try {
      return ResourceSet.of(m);
    } catch (IllegalArgumentException e) {
      throw n.error(e.getMessage());
    }
  }
}
