package io.troupe.llm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.kernels.MatMul;
import io.troupe.llm.kernels.ScalarKernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every supported family (random weights written by {@link RandomModelWriter#asFamily}) against the
 * double-precision oracle {@link NaiveLlama}: chunked prefill and batched decode over a paged KV cache, prompts
 * longer than the sliding window. And the features are not no-ops: without its window (or soft-caps) a model's
 * logits change where they should and only there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FamilyOracleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int[] PROMPT = {1, 17, 300, 42, 42, 7, 99, 250, 3, 11, 400, 5, 6};
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Family.class)
  void matchesTheOracle(Family family) {
    Path dir = TestModels.family(family, tmp.resolve(family.modelType()));
    assertThat(ModelConfig.read(dir).family()).isEqualTo(family);
    double[][] ref = new NaiveLlama(dir).logits(PROMPT);
    for (MatMul mm : List.of(new MatMul(Kernels.best(), 2), new MatMul(new ScalarKernels(), 1))) {
      try (mm) {
        assertThat(ForwardOracleTest.maxError(dir, mm, false, ref, 4, PROMPT)).as(family + " " + mm.kernels().name())
            .isLessThan(ForwardOracleTest.TOL);
        assertThat(ForwardOracleTest.maxError(dir, mm, false, ref, 100, PROMPT)).isLessThan(ForwardOracleTest.TOL);
      }
    }
  }

  @Test
  void slidingWindowChangesOnlyPositionsPastIt() throws Exception {
    Path dir = TestModels.family(Family.MISTRAL, tmp.resolve("mistral"));
    double[][] windowed = new NaiveLlama(dir).logits(PROMPT);
    ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    cfg.putNull("sliding_window");
    cfg.remove("layer_types");
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    double[][] full = new NaiveLlama(dir).logits(PROMPT);
    for (int t = 0; t < PROMPT.length; t++) {
      double d = ForwardOracleTest.diff(toFloat(windowed[t]), full[t]);
      if (t < 4) {
        assertThat(d).as("position " + t + " sees no more than the window anyway").isLessThan(1e-6);
      } else {
        assertThat(d).as("position " + t).isGreaterThan(1e-3);
      }
    }
    // and the engine follows the config it reads: without the window it matches the windowless oracle
    try (MatMul mm = new MatMul(Kernels.best(), 1)) {
      assertThat(ForwardOracleTest.maxError(dir, mm, false, full, 4, PROMPT)).isLessThan(ForwardOracleTest.TOL);
    }
  }

  @Test
  void softCapsMatter() throws Exception {
    Path dir = TestModels.family(Family.GEMMA2, tmp.resolve("gemma2"));
    double[][] capped = new NaiveLlama(dir).logits(PROMPT);
    ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    cfg.put("final_logit_softcapping", 1.0);
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    double[][] tight = new NaiveLlama(dir).logits(PROMPT);
    assertThat(ForwardOracleTest.diff(toFloat(capped[5]), tight[5])).isGreaterThan(1e-3);
    for (double v : tight[5]) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(1.0);
    }
    try (MatMul mm = new MatMul(Kernels.best(), 1)) {
      assertThat(ForwardOracleTest.maxError(dir, mm, false, tight, 4, PROMPT)).isLessThan(ForwardOracleTest.TOL);
    }
  }

  @Test
  void unsupportedModelsAreRefusedNamingWhatIsSupported() throws Exception {
    Path dir = TestModels.tiny(tmp.resolve("tiny"));
    ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    cfg.put("model_type", "gpt_neox");
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    assertThatThrownBy(() -> ModelFolder.open(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model_type 'gpt_neox' is not supported")
        .hasMessageContaining("gemma3_text (Gemma3ForCausalLM)").hasMessageContaining("phi3 (Phi3ForCausalLM)");
    cfg.put("model_type", "gemma3");
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    assertThatThrownBy(() -> ModelConfig.read(dir)).hasMessageContaining("text-only form");
    cfg.put("model_type", "llama");
    cfg.putArray("architectures").add("LlamaForSequenceClassification");
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    assertThatThrownBy(() -> ModelConfig.read(dir)).hasMessageContaining("LlamaForSequenceClassification");
    cfg.putArray("architectures").add("LlamaForCausalLM");
    cfg.put("hidden_act", "relu");
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    assertThatThrownBy(() -> ModelConfig.read(dir)).hasMessageContaining("'relu' is not supported");
    cfg.put("hidden_act", "silu");
    cfg.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    assertThatThrownBy(() -> ModelConfig.read(dir)).hasMessageContaining("rope_scaling type 'yarn'");
    cfg.putNull("rope_scaling");
    cfg.put("model_type", "qwen2").put("use_sliding_window", true);
    cfg.putArray("architectures").add("Qwen2ForCausalLM");
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    assertThatThrownBy(() -> ModelConfig.read(dir)).hasMessageContaining("use_sliding_window");
  }

  @Test
  void configRoundTripsEveryFamily() throws Exception {
    for (Family f : Family.values()) {
      Path dir = TestModels.family(f, tmp.resolve("rt-" + f.modelType()));
      ModelConfig c = ModelConfig.read(dir);
      assertThat(c.arch().family()).isEqualTo(f);
      ModelConfig again = ModelConfig.fromJson(c.toJson());
      assertThat(again).isEqualTo(c);
      assertThat(Files.exists(dir.resolve("model.safetensors"))).isTrue();
    }
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
