package io.troupe.serve.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DeploymentConfigTest {

  @Deployment(name = "Annotated", numReplicas = 3, maxOngoingRequests = 7, numGpus = 1, healthCheckPeriodS = 2)
  static final class Annotated {
  }

  static final class Plain {
  }

  @Test
  void defaultsAreRays() {
    DeploymentConfig c = DeploymentConfig.builder().build();
    assertThat(c.numReplicas()).isEqualTo(1);
    assertThat(c.maxOngoingRequests()).isEqualTo(5);
    assertThat(c.maxQueuedRequests()).isEqualTo(-1);
    assertThat(c.healthCheckPeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.healthCheckTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.gracefulShutdownWaitLoop()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.gracefulShutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.resources()).isEqualTo(ResourceSet.of(ResourceSet.CPU, 1));
    assertThat(c.placementGroupStrategy()).isEqualTo(PlacementStrategy.PACK);
    assertThat(c.autoscaling()).isEmpty();
    AutoscalingConfig a = AutoscalingConfig.builder().build();
    assertThat(a.minReplicas()).isEqualTo(1);
    assertThat(a.maxReplicas()).isEqualTo(1);
    assertThat(a.targetOngoingRequests()).isEqualTo(2.0);
    assertThat(a.upscaleDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(a.downscaleDelay()).isEqualTo(Duration.ofSeconds(600));
  }

  @Test
  void validationNamesTheOption() {
    assertThatThrownBy(() -> DeploymentConfig.builder().maxOngoingRequests(0).build())
        .hasMessageContaining("max_ongoing_requests must be >= 1, got 0");
    assertThatThrownBy(() -> DeploymentConfig.builder().maxQueuedRequests(0).build())
        .hasMessageContaining("max_queued_requests must be -1 (no limit) or a positive integer");
    assertThatThrownBy(() -> DeploymentConfig.builder().numReplicas(-1).build())
        .hasMessageContaining("num_replicas must be >= 0");
    assertThatThrownBy(() -> DeploymentConfig.builder().numReplicas(2)
        .autoscaling(AutoscalingConfig.builder().build()).build())
        .hasMessageContaining("num_replicas is not allowed when autoscaling_config");
    assertThatThrownBy(() -> DeploymentConfig.builder().healthCheckPeriod(Duration.ZERO).build())
        .hasMessageContaining("health_check_period_s must be > 0");
    assertThatThrownBy(() -> DeploymentConfig.builder().placementGroupStrategy(PlacementStrategy.SPREAD).build())
        .hasMessageContaining("placement_group_bundles must also be provided");
    assertThatThrownBy(() -> DeploymentConfig.builder().resources(Map.of("CPU", 1, "GPU", 2))
        .placementGroupBundles(List.of(Bundle.of(Map.of("GPU", 1)))).build())
        .hasMessageContaining("must fit in the first placement group bundle");
    assertThatThrownBy(() -> DeploymentConfig.builder().userConfig(new Object()).build())
        .hasMessageContaining("user_config must be JSON-like");
    assertThatThrownBy(() -> AutoscalingConfig.builder().minReplicas(3).maxReplicas(2).build())
        .hasMessageContaining("max_replicas (2) must be greater than or equal to min_replicas (3)");
    assertThatThrownBy(() -> AutoscalingConfig.builder().targetOngoingRequests(0).build())
        .hasMessageContaining("target_ongoing_requests must be > 0");
  }

  @Test
  void annotationBuilderAndConfigMergeInThatOrder() {
    DeploymentConfig fromAnnotation = DeploymentOptions.resolve(Annotated.class, null, null);
    assertThat(fromAnnotation.name()).isEqualTo("Annotated");
    assertThat(fromAnnotation.numReplicas()).isEqualTo(3);
    assertThat(fromAnnotation.maxOngoingRequests()).isEqualTo(7);
    assertThat(fromAnnotation.resources()).isEqualTo(ResourceSet.of("CPU", 1, "GPU", 1));
    assertThat(fromAnnotation.healthCheckPeriod()).isEqualTo(Duration.ofSeconds(2));

    DeploymentConfig merged = DeploymentOptions.resolve(Annotated.class,
        DeploymentConfig.builder().maxOngoingRequests(9).userConfig(Map.of("a", 1)),
        DeploymentConfig.builder().numReplicas(4).userConfig(null));
    assertThat(merged.maxOngoingRequests()).isEqualTo(9); // builder over annotation
    assertThat(merged.numReplicas()).isEqualTo(4);        // config over annotation
    assertThat(merged.userConfig()).isNull();              // config explicitly clears
    assertThat(merged.healthCheckPeriod()).isEqualTo(Duration.ofSeconds(2)); // annotation kept

    DeploymentConfig autoscaled = DeploymentOptions.resolve(Annotated.class, null,
        DeploymentConfig.builder().autoscaling(AutoscalingConfig.builder().maxReplicas(5).build()));
    assertThat(autoscaled.autoscaling()).isPresent();      // config autoscaling replaces annotation num_replicas
    assertThat(autoscaled.initialReplicas()).isEqualTo(1);

    assertThat(DeploymentOptions.resolve(Plain.class, null, null).name()).isEqualTo("Plain");
  }

  @Test
  void applicationGraphListsChildrenFirstAndRejectsDuplicateNames() {
    BoundDeployment child = BoundDeployment.bind(Plain.class, DeploymentConfig.builder().name("model"));
    BoundDeployment ingress = BoundDeployment.bind(Annotated.class, null, child, "x", 3);
    Application app = Application.of(ingress);
    assertThat(app.deployments()).extracting(BoundDeployment::name).containsExactly("model", "Annotated");

    BoundDeployment other = BoundDeployment.bind(Plain.class, DeploymentConfig.builder().name("model").numReplicas(2));
    assertThatThrownBy(() -> Application.of(BoundDeployment.bind(Annotated.class, null, child, other)))
        .hasMessageContaining("two different deployments are named 'model'");
  }
}
