package io.troupe.llm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.cluster.ClassApplicationResolver;
import io.troupe.serve.config.ServeConfigParser;
import io.troupe.serve.controller.ClusterOps;
import io.troupe.serve.controller.ControllerCheckpoint;
import io.troupe.serve.controller.ReplicaRuntimeConfig;
import io.troupe.serve.controller.ReplicaStartSpec;
import io.troupe.serve.controller.ServeController;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An LLM deployment (tensor_parallel_size 2) configured with autoscaling_config in the serve config file scales on
 * reported load, and each new replica reserves its own gang placement group of one bundle per rank. Controller
 * level: the replicas "start" in a cluster stub that records what the controller asks for.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LlmAutoscalingTest {

  /** Records start requests; every replica is ready at once. */
  static final class RecordingCluster implements ClusterOps {
    final List<ReplicaStartSpec> started = new ArrayList<>();

    @Override
    public void startReplica(ReplicaStartSpec spec) {
      started.add(spec);
    }

    @Override
    public ReplicaReport poll(ReplicaId id) {
      return new ReplicaReport.Ready(NodeId.of("n"), Optional.of(PlacementGroupId.of("pg-" + id.unique())),
          Optional.of(ActorId.of("a-" + id.unique())));
    }

    @Override
    public void reconfigure(ReplicaId id, ReplicaRuntimeConfig config) {
    }

    @Override
    public void checkHealth(ReplicaId id) {
    }

    @Override
    public HealthReport pollHealth(ReplicaId id) {
      return new HealthReport.Healthy();
    }

    @Override
    public void stopReplica(ReplicaId id, Duration waitLoop, Duration timeout) {
    }

    @Override
    public void removePlacementGroup(PlacementGroupId id) {
    }

    @Override
    public void saveCheckpoint(ControllerCheckpoint checkpoint) {
    }
  }

  @Test
  void eachNewReplicaOfAnAutoscaledLlmDeploymentReservesItsOwnGang() {
    var config = ServeConfigParser.parse("""
        applications:
          - name: llm
            route_prefix: /
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            args:
              models:
                - {model_id: big, model_source: /models/big, tensor_parallel_size: 2}
            deployments:
              - name: LlmServer-big
                autoscaling_config: {min_replicas: 1, max_replicas: 3, target_ongoing_requests: 4,
                                     upscale_delay_s: 0}
        """);
    RecordingCluster cluster = new RecordingCluster();
    ServeController controller = new ServeController(cluster, Clock.systemUTC(), new SplittableRandom(1));
    controller.apply(config, new ClassApplicationResolver(LlmAutoscalingTest.class.getClassLoader()));
    controller.update();
    controller.update();
    DeploymentId server = new DeploymentId("llm", "LlmServer-big");
    assertThat(controller.status().applications().get("llm").message()).isEmpty();
    assertThat(cluster.started.stream().filter(s -> s.id().deployment().equals(server))).hasSize(1);

    controller.recordLoad(server, "caller:n", Clock.systemUTC().instant(), 12); // 12 / 4 per replica -> 3
    controller.update();
    List<ReplicaStartSpec> replicas = cluster.started.stream().filter(s -> s.id().deployment().equals(server))
        .toList();
    assertThat(replicas).hasSize(3);
    for (ReplicaStartSpec s : replicas) {
      var pg = s.placementGroup().orElseThrow();
      assertThat(pg.bundles()).hasSize(2); // one bundle per rank
      assertThat(pg.gang()).isPresent();
      assertThat(pg.name()).contains(ClusterOps.placementGroupName(s.id()));
    }
    assertThat(replicas.stream().map(s -> s.placementGroup().orElseThrow().name())).doesNotHaveDuplicates();
  }
}
