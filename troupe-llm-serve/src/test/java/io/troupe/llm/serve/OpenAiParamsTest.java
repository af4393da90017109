package io.troupe.llm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.serve.api.DeploymentConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The plain parts of the OpenAI layer: stop parsing and trimming, mid-stream failure messages, derived deployments. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpenAiParamsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> stop(String json) throws Exception {
    return OpenAiIngress.stop(json == null ? null : JSON.readTree(json));
  }

  @Test
  void stopIsAStringOrUpToFourNonEmptyStrings() throws Exception {
    assertThat(stop(null)).isEmpty();
    assertThat(stop("null")).isEmpty();
    assertThat(stop("[]")).isEmpty();
    assertThat(stop("\"\\n\"")).containsExactly("\n");
    assertThat(stop("[\"a\", \"bc\", \"d\", \"e\"]")).containsExactly("a", "bc", "d", "e");
    for (String bad : List.of("[\"a\", \"b\", \"c\", \"d\", \"e\"]", "\"\"", "[\"a\", \"\"]", "[1]", "7", "{}")) {
      assertThatThrownBy(() -> stop(bad)).as(bad).hasMessageContaining("stop");
    }
  }

  @Test
  void theTextEndsBeforeTheFirstStopStringThatOccurs() {
    assertThat(LlmServer.stopAt("hello world", List.of())).isEqualTo(-1);
    assertThat(LlmServer.stopAt("hello world", List.of("xyz"))).isEqualTo(-1);
    assertThat(LlmServer.stopAt("hello world", List.of("wor", "lo"))).isEqualTo(3); // the earliest, not the first listed
    assertThat(LlmServer.stopAt("hello world", List.of("h"))).isZero();
  }

  @Test
  void aBrokenStreamNamesTheLostRanksWhenItsGangLostBundles() {
    String cause = "stream 1 of llm#LlmServer-tp2#d1 broke: actor a was lost while the call was in flight (gang "
        + "restart of pg-6 after: gang restart of placement group pg-6 to epoch 1: node n died (lost bundle [1]))";
    assertThat(OpenAiIngress.midStreamFailure("tp2", new OpenAiIngress.ServerFailure(cause, List.of(1))))
        .startsWith("the server of model 'tp2' failed mid-stream: lost rank(s) 1 (").endsWith(cause);
    assertThat(OpenAiIngress.midStreamFailure("m", new OpenAiIngress.ServerFailure("x", List.of(0, 2))))
        .contains("lost rank(s) 0, 2 (");
    // the ranks come from the restart's data, not from the words of the cause
    assertThat(OpenAiIngress.midStreamFailure("m", new OpenAiIngress.ServerFailure("x (lost bundle [3])", List.of())))
        .isEqualTo("the server of model 'm' failed mid-stream: x (lost bundle [3])");
    assertThat(OpenAiIngress.midStreamFailure("m", new OpenAiIngress.ServerFailure("the replica died", List.of())))
        .isEqualTo("the server of model 'm' failed mid-stream: the replica died");
  }

  @Test
  void aMultiRankModelReservesOneBundlePerRankAsAGang() {
    DeploymentConfig c = LlmApps.serverConfig(LlmConfig.of("tiny", "/m").withParallelism(2, 1).withNumGpusPerRank(1))
        .build();
    assertThat(c.name()).isEqualTo("LlmServer-tiny");
    assertThat(c.placementGroupBundles()).extracting(b -> b.resources().toMap())
        .containsExactly(Map.of("CPU", 2.0, "GPU", 1.0), Map.of("CPU", 1.0, "GPU", 1.0));
    assertThat(c.placementGroupStrategy()).isEqualTo(PlacementStrategy.PACK);
    assertThat(c.placementGroupGang()).contains(LlmApps.GANG);
    DeploymentConfig single = LlmApps.serverConfig(LlmConfig.of("tiny", "/m")).build();
    assertThat(single.placementGroupBundles()).isEmpty();
    assertThat(single.placementGroupGang()).isEmpty();
  }

  @Test
  void placementOptionsShapeTheReplicasGroup() {
    LlmConfig c = LlmConfig.fromMap(Map.of("model_id", "big", "model_source", "/m", "tensor_parallel_size", 2,
        "bundle_per_rank", Map.of("CPU", 4, "GPU", 1, "accelerator_type:H100", 1), "placement_strategy", "strict_pack",
        "accelerator_type", "H100", "dtype", "int8"));
    assertThat(LlmConfig.fromMap(c.toMap())).isEqualTo(c);
    assertThat(c.numGpusPerRank()).isEqualTo(1.0);
    DeploymentConfig d = LlmApps.serverConfig(c).build();
    assertThat(d.placementGroupBundles()).extracting(b -> b.resources().toMap()).containsExactly(
        Map.of("CPU", 5.0, "GPU", 1.0, "accelerator_type:H100", 1.0),
        Map.of("CPU", 4.0, "GPU", 1.0, "accelerator_type:H100", 1.0));
    assertThat(d.placementGroupBundles()).allSatisfy(b ->
        assertThat(b.labelSelector()).isEqualTo(Map.of("accelerator_type", "H100")));
    assertThat(d.placementGroupStrategy()).isEqualTo(PlacementStrategy.STRICT_PACK);
    assertThat(d.resources().toMap()).isEqualTo(Map.of("CPU", 1.0)); // the replica: one CPU of bundle 0, no GPU

    // one rank: the replica holds the rank's resources; an accelerator type pins it through a one-bundle group
    DeploymentConfig one = LlmApps.serverConfig(LlmConfig.fromMap(Map.of("model_id", "s", "model_source", "/m",
        "num_gpus_per_rank", 1, "accelerator_type", "L4"))).build();
    assertThat(one.resources().toMap()).isEqualTo(Map.of("CPU", 1.0, "GPU", 1.0));
    assertThat(one.placementGroupBundles()).singleElement().satisfies(b -> {
      assertThat(b.resources().toMap()).isEqualTo(Map.of("CPU", 1.0, "GPU", 1.0));
      assertThat(b.labelSelector()).isEqualTo(Map.of("accelerator_type", "L4"));
    });
    assertThat(one.placementGroupGang()).isEmpty();
  }

  @Test
  void badPlacementAndDtypeOptionsSayWhatToDo() {
    assertThat(LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "dtype", "bfloat16")).dtype())
        .isEqualTo("bfloat16");
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "dtype", "q4")))
        .hasMessageContaining("4-bit weights").hasMessageContaining("not implemented");
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "dtype", "double")))
        .hasMessageContaining("dtype must be one of auto, float32, bfloat16, float16, int8");
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "placement_strategy", "TIGHT")))
        .hasMessageContaining("placement_strategy must be PACK, STRICT_PACK, SPREAD or STRICT_SPREAD");
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "bundle_per_rank", "GPU")))
        .hasMessageContaining("bundle_per_rank must be a map");
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "bundle_per_rank",
        Map.of("GPU", -1)))).hasMessageContaining("bundle_per_rank.GPU must be a number >= 0");
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "m", "model_source", "/m", "num_gpus_per_rank", 2,
        "bundle_per_rank", Map.of("GPU", 1)))).hasMessageContaining("disagree");
  }
}
