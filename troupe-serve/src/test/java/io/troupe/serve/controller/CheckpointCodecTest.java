package io.troupe.serve.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The checkpoint survives its trip through JSON exactly: targets, versions, replicas, handles. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CheckpointCodecTest {
  static final class Model {
  }

  static final class Ingress {
  }

  private static ControllerCheckpoint sample() {
    ManualClock clock = new ManualClock();
    FakeCluster cluster = new FakeCluster();
    ServeController c = new ServeController(cluster, clock, new SplittableRandom(3));
    BoundDeployment model = BoundDeployment.bind(Model.class, DeploymentConfig.builder().numReplicas(2)
        .resources(Map.of("CPU", 0.5, "GPU", 1)).maxQueuedRequests(7).userConfig(Map.of("threshold", 0.25,
            "labels", List.of("a", "b"), "n", 3, "on", true))
        .placementGroupBundles(List.of(Bundle.of(Map.of("CPU", 1, "GPU", 1)), Bundle.of(Map.of("GPU", 1))
            .withLabels(Map.of("zone", "a")))).placementGroupStrategy(PlacementStrategy.STRICT_SPREAD)
        .healthCheckPeriod(Duration.ofMillis(1500)).gracefulShutdownTimeout(Duration.ofSeconds(3))
        .requestRouter(io.troupe.serve.api.RequestRouterConfig.PREFIX_AWARE), "weights", 42);
    BoundDeployment ingress = BoundDeployment.bind(Ingress.class, DeploymentConfig.builder().autoscaling(
        AutoscalingConfig.builder().minReplicas(1).maxReplicas(4).build()), model, Map.of("$handle", "not a handle",
            "other", 1));
    c.deploy("app", Optional.of("/api"), Application.of(ingress));
    c.update();
    cluster.readyAll("node-a");
    c.update();
    return c.checkpoint();
  }

  @Test
  void roundTripIsExact() {
    ControllerCheckpoint cp = sample();
    byte[] bytes = CheckpointCodec.encode(cp);
    ControllerCheckpoint back = CheckpointCodec.decode(bytes);
    assertThat(back).isEqualTo(cp);
    DeploymentTarget ingress = back.applications().get(0).deployments().stream()
        .filter(d -> d.target().id().name().equals("Ingress")).findFirst().orElseThrow().target();
    assertThat(ingress.initArgs().get(0)).isEqualTo(new DeploymentTarget.HandleArg("Model"));
    assertThat(ingress.initArgs().get(1)).isInstanceOf(Map.class); // a map that merely has the key stays a map
    // Equal targets mean equal versions: a restarted controller does not roll replicas over.
    assertThat(back.applications().get(0).deployments()).extracting(d -> d.target().version())
        .containsExactlyElementsOf(cp.applications().get(0).deployments().stream().map(d -> d.target().version())
            .toList());
    assertThat(back.applications().get(0).deployments()).flatMap(ControllerCheckpoint.Deployment::replicas)
        .allMatch(r -> r.node().isPresent());
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"format\":1").contains("node-a");
  }

  @Test
  void refusesWhatItCannotRead() {
    assertThatThrownBy(() -> CheckpointCodec.decode("{\"format\": 99}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format 1").hasMessageContaining("99");
    assertThatThrownBy(() -> CheckpointCodec.decode("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the serve checkpoint");
  }
}
