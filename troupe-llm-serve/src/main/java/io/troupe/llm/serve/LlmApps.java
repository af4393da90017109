package io.troupe.llm.serve;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the OpenAI-compatible application: one {@link LlmServer} deployment per model
 * ({@code LlmServer-<model_id>}, 1 replica) behind one {@link OpenAiIngress}. From a config file:
 * <pre>
 * import_path: io.troupe.llm.serve.LlmApps:fromArgs
 * args:
 *   models:
 *     - {model_id: tiny, model_source: /models/tiny, max_tokens: 32}
 * </pre>
 * A model with tp x pp &gt; 1 reserves one bundle per rank ({@code bundle_per_rank}, by default
 * {@code {CPU: 1, GPU: num_gpus_per_rank}}; bundle 0 one CPU more for the replica itself, never a GPU) with
 * {@code placement_strategy} (default PACK), only on nodes labelled {@code accelerator_type} when the model says so, as a gang ({@link #GANG}: a lost rank restarts the
 * replica and all its ranks in place, at a new epoch); override {@code placement_group_strategy} (alone: the
 * bundles stay derived from the model config) and/or {@code placement_group_bundles} per deployment in the config
 * file, or build with {@link #build} and {@link BoundDeployment#withConfig}. At most 4 models per application (see {@link OpenAiIngress}).
 */
public final class LlmApps {
  /** The gang policy of a multi-rank replica's group: 3 restarts, back-off 0.5 s doubling up to 5 s. */
  static final GangPolicy GANG = new GangPolicy(3, java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(5));

  private LlmApps() {
  }

  /** The application builder for {@code import_path}: {@code args.models} is a list of {@link LlmConfig} maps. */
  public static Application fromArgs(Map<String, Object> args) {
    Object models = args.get("models");
    if (!(models instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("args.models must be a non-empty list of models ({model_id, model_source, "
          + "...}), got " + models);
    }
    for (String k : args.keySet()) {
      if (!k.equals("models")) {
        throw new IllegalArgumentException("unknown arg '" + k + "'; LlmApps takes only 'models'");
      }
    }
    List<LlmConfig> configs = new ArrayList<>();
    for (Object m : list) {
      if (!(m instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException("each of args.models must be a map, got " + m);
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> typed = (Map<String, ?>) map;
      configs.add(LlmConfig.fromMap(typed));
    }
    return build(configs);
  }

  public static Application build(List<LlmConfig> models) {
    if (models.isEmpty() || models.size() > 4) {
      throw new IllegalArgumentException("1 to 4 models per application, got " + models.size());
    }
    Set<String> ids = new HashSet<>();
    List<Object> ingressArgs = new ArrayList<>();
    List<String> modelIds = new ArrayList<>();
    ingressArgs.add(modelIds);
    for (LlmConfig c : models) {
      if (!ids.add(c.modelId())) {
        throw new IllegalArgumentException("model_id '" + c.modelId() + "' appears twice");
      }
      modelIds.add(c.modelId());
      ingressArgs.add(BoundDeployment.bind(LlmServer.class, serverConfig(c), c.toMap()));
    }
    return Application.of(BoundDeployment.bind(OpenAiIngress.class,
        DeploymentConfig.builder().name("OpenAiIngress").numReplicas(1), ingressArgs.toArray()));
  }

  /**
   * One replica, routed by {@link LlmConfig#routing}; with tp x pp &gt; 1 a placement group of one bundle per
   * rank.
   */
  static DeploymentConfig.Builder serverConfig(LlmConfig c) {
    DeploymentConfig.Builder b = DeploymentConfig.builder().name("LlmServer-" + c.modelId().replaceAll("[^A-Za-z0-9_.-]", "_"))
        .numReplicas(1).maxOngoingRequests(Math.max(c.maxNumSeqs(), 5)).requestRouter(c.requestRouter());
    Map<String, String> selector = c.acceleratorType() == null ? Map.of()
        : Map.of(LlmConfig.ACCELERATOR_LABEL, c.acceleratorType());
    PlacementStrategy strategy = PlacementStrategy.valueOf(c.placementStrategy());
    if (c.worldSize() > 1 || c.engine().external()) {
      // An external engine always runs in a gang group: its processes are started by actors in the bundles.
      List<Bundle> bundles = new ArrayList<>();
      for (int i = 0; i < c.worldSize(); i++) {
        Map<String, Double> r = new LinkedHashMap<>(c.bundlePerRank());
        if (i == 0) {
          r.merge("CPU", 1.0, Double::sum); // the replica itself: one CPU, never a GPU
        }
        bundles.add(new Bundle(ResourceSet.of(r), selector));
      }
      // A gang: when a rank's node dies, the runtime restarts the replica and its ranks together at a new epoch
      // in the same group (the lost bundle re-reserved); the new replica adopts the recreated rank actors.
      b.placementGroupBundles(bundles).placementGroupStrategy(strategy).placementGroupGang(GANG);
    } else {
      // One rank: the engine runs inside the replica, which holds the rank's resources itself.
      b.resources(c.bundlePerRank());
      if (!selector.isEmpty()) {
        b.placementGroupBundles(List.of(new Bundle(ResourceSet.of(c.bundlePerRank()), selector)))
            .placementGroupStrategy(strategy);
      }
    }
    return b;
  }
}
