package io.troupe.serve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.RequestRouterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServeConfigParserTest {

  private static final String GOOD = """
      proxy_location: HeadOnly
      http_options:
        host: 0.0.0.0
        port: 9000
        request_timeout_s: 2.5
      applications:
        - name: llm
          route_prefix: /v1
          import_path: com.example.LlmApp
          args: {model: tiny, tp: 2}
          deployments:
            - name: Engine
              num_replicas: 2
              max_ongoing_requests: 16
              max_queued_requests: 100
              user_config: {temperature: 0.7, stop: ["</s>"]}
              ray_actor_options: {num_cpus: 2, num_gpus: 1, resources: {accel: 1}}
              placement_group_bundles: [{CPU: 2, GPU: 1, accel: 1}, {GPU: 1}]
              placement_group_strategy: STRICT_PACK
              health_check_period_s: 5
            - name: Router
              autoscaling_config: {min_replicas: 1, max_replicas: 4, target_ongoing_requests: 3}
        - name: other
          import_path: com.example.Other
          route_prefix: /
      """;

  @Test
  void parsesAGoodConfig() {
    ServeConfig c = ServeConfigParser.parse(GOOD);
    assertThat(c.proxyLocation()).isEqualTo(ProxyLocation.HeadOnly);
    assertThat(c.httpOptions().host()).isEqualTo("0.0.0.0");
    assertThat(c.httpOptions().port()).isEqualTo(9000);
    assertThat(c.httpOptions().requestTimeout()).contains(Duration.ofMillis(2500));
    ApplicationConfig llm = c.applications().get(0);
    assertThat(llm.routePrefix()).contains("/v1");
    assertThat(llm.args()).containsEntry("model", "tiny").containsEntry("tp", 2);
    DeploymentConfig engine = DeploymentConfig.builder().name("Engine")
        .overlay(llm.override("Engine").orElseThrow().toBuilder()).build();
    assertThat(engine.numReplicas()).isEqualTo(2);
    assertThat(engine.maxOngoingRequests()).isEqualTo(16);
    assertThat(engine.maxQueuedRequests()).isEqualTo(100);
    assertThat(engine.userConfig()).isEqualTo(Map.of("temperature", 0.7, "stop", java.util.List.of("</s>")));
    assertThat(engine.resources()).isEqualTo(ResourceSet.of(Map.of("CPU", 2, "GPU", 1, "accel", 1)));
    assertThat(engine.placementGroupBundles()).hasSize(2);
    assertThat(engine.placementGroupStrategy()).isEqualTo(PlacementStrategy.STRICT_PACK);
    assertThat(engine.healthCheckPeriod()).isEqualTo(Duration.ofSeconds(5));
    DeploymentConfig router = DeploymentConfig.builder().name("Router")
        .overlay(llm.override("Router").orElseThrow().toBuilder()).build();
    assertThat(router.autoscaling().orElseThrow().maxReplicas()).isEqualTo(4);
  }

  @Test
  void defaults() {
    ServeConfig c = ServeConfigParser.parse("applications: [{name: a, import_path: x.Y}]");
    assertThat(c.proxyLocation()).isEqualTo(ProxyLocation.EveryNode);
    assertThat(c.httpOptions()).isEqualTo(HttpOptions.DEFAULT);
    assertThat(c.httpOptions().host()).isEqualTo("127.0.0.1");
    assertThat(c.applications().get(0).routePrefix()).contains("/");
    assertThat(ServeConfigParser.parse("applications: [{name: a, import_path: x.Y, route_prefix: null}]")
        .applications().get(0).routePrefix()).isEmpty();
  }

  @Test
  void wrongTypeNamesThePath() {
    String yaml = """
        applications:
          - name: a
            import_path: x.Y
            deployments:
              - name: A
              - name: B
                num_replicas: two
        """;
    assertThatThrownBy(() -> ServeConfigParser.parse(yaml)).isInstanceOf(ServeConfigException.class)
        .hasMessage("applications[0].deployments[1].num_replicas: expected an integer, got \"two\"");
  }

  @Test
  void rejectsBadConfigsWithPaths() {
    bad("proxy_location: Nowhere", "proxy_location: expected one of [Disabled, HeadOnly, EveryNode], got \"Nowhere\"");
    bad("http_options: {port: \"8000\"}", "http_options.port: expected an integer, got \"8000\"");
    bad("http_options: {prot: 1}", "http_options.prot: unknown key");
    bad("colour: red", "colour: unknown key");
    bad("applications: {name: a}", "applications: expected a list, got a map");
    bad("applications: [{import_path: x.Y}]", "applications[0].name: required key is missing");
    bad("applications: [{name: a, import_path: x.Y, route_prefix: v1}]",
        "applications[0].route_prefix: route_prefix must start with '/'");
    bad("applications: [{name: a, import_path: x.Y, route_prefix: /v1/}]", "must not end with '/'");
    bad("applications: [{name: a, import_path: x.Y}, {name: b, import_path: x.Z}]",
        "applications[1].route_prefix: route_prefix \"/\" is already used by application \"a\"");
    bad("applications: [{name: a, import_path: x.Y, route_prefix: /a}, {name: a, import_path: x.Z, route_prefix: /b}]",
        "applications[1].name: application name \"a\" is already used by applications[0]");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, max_ongoing_requests: 0}]}]",
        "applications[0].deployments[0]: max_ongoing_requests must be >= 1, got 0");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, ray_actor_options: {num_tpus: 1}}]}]",
        "applications[0].deployments[0].ray_actor_options.num_tpus: unknown key");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, autoscaling_config: {max_replicas: x}}]}]",
        "applications[0].deployments[0].autoscaling_config.max_replicas: expected an integer, got \"x\"");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, num_replicas: 2, "
        + "autoscaling_config: {max_replicas: 3}}]}]", "num_replicas is not allowed when autoscaling_config");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D}, {name: D}]}]",
        "applications[0].deployments[1].name: deployment \"D\" is already configured");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, placement_group_strategy: TIGHT,"
        + " placement_group_bundles: [{CPU: 1}]}]}]", "deployments[0].placement_group_strategy: unknown placement");
    bad("http_options: {port: 1}\nhttp_options: {port: 2}", "not valid YAML");
  }

  @Test
  void autoscalingFieldsForScaleToZeroAggregationAndCustomPolicies() {
    String yaml = "applications: [{name: a, import_path: x.Y, deployments: [{name: D, autoscaling_config: {"
        + "min_replicas: 0, max_replicas: 3, downscale_to_zero_delay_s: 7, aggregation_function: max, "
        + "policy: com.example.MyPolicy}}]}]";
    var a = ServeConfigParser.parse(yaml).applications().get(0).deployments().get(0).toBuilder().build()
        .autoscaling().orElseThrow();
    assertThat(a.downscaleToZeroDelay()).isEqualTo(Duration.ofSeconds(7));
    assertThat(a.aggregationFunction()).isEqualTo(io.troupe.serve.api.AutoscalingConfig.Aggregation.MAX);
    assertThat(a.policy()).isEqualTo("com.example.MyPolicy");
    String d = "applications: [{name: a, import_path: x.Y, deployments: [{name: D, autoscaling_config: {";
    bad(d + "min_replicas: 1, downscale_to_zero_delay_s: 7}}]}]", "only applies with min_replicas: 0");
    bad(d + "aggregation_function: median}}]}]", "aggregation_function must be one of mean, max, min");
    bad(d + "policy: 'not a class'}}]}]", "policy must be a Java class name");
    bad(d + "min_replicas: 3, max_replicas: 2}}]}]", "max_replicas (2) must be greater than or equal to min_replicas");
    bad(d + "upscale_smoothing_factor: 2}}]}]", "upscale_smoothing_factor");
  }

  @Test
  void requestRouterByNameOrMapWithDefaultsAndPathsInErrors() {
    String yaml = """
        applications:
          - name: a
            import_path: x.Y
            deployments:
              - {name: D, request_router: prefix_aware}
              - {name: E, request_router: {policy: prefix_aware, imbalanced_threshold: 4, max_prefix_blocks: 500}}
              - {name: F}
        """;
    ApplicationConfig app = ServeConfigParser.parse(yaml).applications().get(0);
    DeploymentConfig d = DeploymentConfig.builder().name("D").overlay(app.override("D").orElseThrow().toBuilder())
        .build();
    assertThat(d.requestRouter()).isEqualTo(RequestRouterConfig.PREFIX_AWARE);
    DeploymentConfig e = DeploymentConfig.builder().name("E").overlay(app.override("E").orElseThrow().toBuilder())
        .build();
    assertThat(e.requestRouter()).isEqualTo(RequestRouterConfig.PREFIX_AWARE.withImbalancedThreshold(4)
        .withMaxPrefixBlocks(500));
    DeploymentConfig f = DeploymentConfig.builder().name("F").overlay(app.override("F").orElseThrow().toBuilder())
        .build();
    assertThat(f.requestRouter()).isEqualTo(RequestRouterConfig.POW2);
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, request_router: round_robin}]}]",
        "applications[0].deployments[0].request_router: unknown request router 'round_robin'; expected one of pow2, "
            + "prefix_aware");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, request_router: {policy: pow2, "
        + "imbalance: 3}}]}]", "request_router: unknown key request_router.imbalance");
    bad("applications: [{name: a, import_path: x.Y, deployments: [{name: D, request_router: {policy: prefix_aware, "
        + "match_rate_threshold: 2}}]}]", "request_router.match_rate_threshold must be in [0, 1], got 2.0");
  }

  @Test
  void aPlacementStrategyAloneIsAcceptedHereAndCheckedAgainstTheCodesBundlesLater() {
    ServeConfig c = ServeConfigParser.parse("""
        applications:
          - name: llm
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            deployments: [{name: LlmServer-tiny, placement_group_strategy: STRICT_SPREAD,
                           ray_actor_options: {num_cpus: 1, num_gpus: 1}}]
        """);
    DeploymentConfig.Builder o = c.applications().get(0).override("LlmServer-tiny").orElseThrow().toBuilder();
    DeploymentConfig merged = DeploymentConfig.builder().resources(Map.of("CPU", 1))
        .placementGroupBundles(java.util.List.of(io.troupe.runtime.api.Bundle.of(Map.of("CPU", 2, "GPU", 1))))
        .overlay(o).build();
    assertThat(merged.placementGroupStrategy()).isEqualTo(PlacementStrategy.STRICT_SPREAD);
    assertThat(merged.placementGroupBundles()).hasSize(1);
    assertThatThrownBy(() -> DeploymentConfig.builder().overlay(o).build())
        .hasMessageContaining("placement_group_bundles must also be provided");
  }

  private static void bad(String yaml, String message) {
    assertThatThrownBy(() -> ServeConfigParser.parse(yaml)).isInstanceOf(ServeConfigException.class)
        .hasMessageContaining(message);
  }
}
