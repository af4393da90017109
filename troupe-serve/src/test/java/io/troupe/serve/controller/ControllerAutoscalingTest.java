package io.troupe.serve.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.serve.api.Application;
import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.spi.AutoscalingContext;
import io.troupe.serve.spi.AutoscalingDecision;
import io.troupe.serve.spi.AutoscalingPolicy;
import io.troupe.testkit.ManualClock;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The controller's autoscaling loop over a fake cluster and a manual clock: load in, targets out. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControllerAutoscalingTest {
  private final ManualClock clock = new ManualClock();
  private final FakeCluster cluster = new FakeCluster();
  private final ServeController controller = new ServeController(cluster, clock, new SplittableRandom(7),
      new ServeController.Autoscaling(ServeController.Autoscaling.defaults().policies(), Duration.ofSeconds(2)));
  private final DeploymentId id = new DeploymentId("app", "Model");

  static final class Model {
  }

  /** A custom policy: as many replicas as the history has distinct reporters, times three. */
  public static final class ThreePerReporter implements AutoscalingPolicy {
    static volatile AutoscalingContext last;

    @Override
    public AutoscalingDecision decide(AutoscalingContext c) {
      last = c;
      long reporters = c.history().stream().map(AutoscalingContext.LoadSample::reporter).distinct().count();
      return new AutoscalingDecision((int) (3 * reporters), null);
    }
  }

  private void deploy(AutoscalingConfig.Builder a) {
    controller.deploy("app", Optional.of("/"), Application.of(BoundDeployment.bind(Model.class,
        DeploymentConfig.builder().autoscaling(a.build()))));
    controller.update();
    cluster.readyAll("n");
    controller.update();
  }

  private int target() {
    return controller.status().applications().get("app").deployments().get("Model").targetNumReplicas();
  }

  @Test
  void aCustomPolicyChosenByClassNameDecidesWithinMinAndMax() {
    deploy(AutoscalingConfig.builder().minReplicas(1).maxReplicas(5).policy(ThreePerReporter.class));
    controller.recordLoad(id, "caller:a", clock.instant(), 1);
    controller.update();
    assertThat(target()).isEqualTo(3);
    controller.recordLoad(id, "caller:b", clock.instant(), 0);
    controller.update();
    assertThat(target()).isEqualTo(5); // 6, clamped to max_replicas
    AutoscalingContext c = ThreePerReporter.last;
    assertThat(c.deployment()).isEqualTo(id);
    assertThat(c.currentTarget()).isEqualTo(3);
    assertThat(c.totalOngoingRequests()).isEqualTo(1);
    assertThat(c.now()).isEqualTo(clock.instant());
  }

  @Test
  void aPolicyThatCannotBeLoadedIsRefusedWithWhatToFix() {
    assertThatThrownBy(() -> deploy(AutoscalingConfig.builder().policy("com.example.NoSuchPolicy")))
        .isInstanceOf(ServeException.class)
        .hasMessageContaining("deployment 'Model'")
        .hasMessageContaining("com.example.NoSuchPolicy")
        .hasMessageContaining("--classpath");
    assertThatThrownBy(() -> deploy(AutoscalingConfig.builder().policy(Model.class.getName())))
        .isInstanceOf(ServeException.class).hasMessageContaining("does not implement");
    assertThat(controller.status().applications()).isEmpty();
  }

  @Test
  void scalesToZeroAfterTheDelayAndAWaitingRequestStartsAReplicaAtOnce() {
    deploy(AutoscalingConfig.builder().minReplicas(0).initialReplicas(1).maxReplicas(3)
        .upscaleDelay(Duration.ofSeconds(30)).downscaleDelay(Duration.ofSeconds(1))
        .downscaleToZeroDelay(Duration.ofSeconds(5)));
    ReplicaId0 r = new ReplicaId0(cluster.live().get(0).toString());
    for (int s = 0; s <= 5; s++) {
      controller.recordLoad(id, r.reporter(), clock.instant(), 0);
      controller.update();
      if (s < 5) {
        assertThat(target()).as("at %d s", s).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
      }
    }
    assertThat(target()).isZero();
    cluster.finishStops();
    controller.update();
    assertThat(cluster.live()).isEmpty();
    // a request waits at a proxy: its caller reports it, and a replica starts on the next tick
    controller.recordLoad(id, "caller:n", clock.instant(), 1);
    controller.update();
    assertThat(target()).isEqualTo(1);
    assertThat(cluster.live()).hasSize(1);
  }

  @Test
  void aSilentReporterDropsOutAndTheDeploymentShrinks() {
    deploy(AutoscalingConfig.builder().minReplicas(1).maxReplicas(4).targetOngoingRequests(2)
        .metricsInterval(Duration.ofMillis(500)).upscaleDelay(Duration.ZERO).downscaleDelay(Duration.ZERO));
    controller.recordLoad(id, "caller:dead-proxy", clock.instant(), 8);
    controller.update();
    assertThat(target()).isEqualTo(4);
    cluster.readyAll("n");
    controller.update();
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMillis(500));
      controller.update();
      assertThat(target()).isEqualTo(4); // not stale yet

      for (var rep : cluster.live()) {
        controller.recordLoad(id, "replica:" + rep, clock.instant(), 0);
      }
      controller.update();
      assertThat(target()).isEqualTo(4); // 8 from the proxy still counts
    }
    clock.advance(Duration.ofMillis(1));
    controller.update();
    assertThat(target()).as("no new load: decided again only after a second").isEqualTo(4);
    clock.advance(ServeController.DECIDE_EVERY);
    controller.update();
    assertThat(target()).isEqualTo(1); // the proxy's 8 went stale after 2 s (the minimum here)
  }

  @Test
  void deletedReplicasNoLongerCount() {
    deploy(AutoscalingConfig.builder().minReplicas(1).maxReplicas(4).upscaleDelay(Duration.ZERO)
        .downscaleDelay(Duration.ZERO));
    controller.recordLoad(id, "replica:app#Model#gone", clock.instant(), 100);
    controller.update();
    assertThat(target()).isEqualTo(1);
  }

  private record ReplicaId0(String id) {
    String reporter() {
      return "replica:" + id;
    }
  }
}
