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
    assertThat(OpenAiIngress.midStreamFailure("tp2", cause))
        .startsWith("the server of model 'tp2' failed mid-stream: lost rank(s) 1 (").endsWith(cause);
    assertThat(OpenAiIngress.midStreamFailure("m", "x (lost bundles [0, 2])")).contains("lost rank(s) 0, 2 (");
    assertThat(OpenAiIngress.midStreamFailure("m", "the replica died")).isEqualTo(
        "the server of model 'm' failed mid-stream: the replica died");
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
}
