package io.troupe.llm.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RandomModelWriterTest {
  @TempDir Path tmp;

  @Test
  void tinyPresetIsSmallDeterministicAndLoadable() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    long bytes = RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), a);
    RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), b);
    assertThat(bytes).isBetween(100_000L, 1_000_000L);
    assertThat(Files.readAllBytes(a.resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(b.resolve("model.safetensors")));
    try (ModelFolder m = ModelFolder.open(a)) {
      assertThat(m.config()).isEqualTo(RandomModelWriter.Preset.TINY.config());
      assertThat(m.info(LlamaTensorNames.EMBED).shape()).containsExactly(512, 64);
      assertThat(m.has(LlamaTensorNames.LM_HEAD)).isTrue();
      assertThat(m.fileCount()).isEqualTo(1);
    }
    assertThat(Files.readString(a.resolve("README.md"))).contains("noise");
  }

  @Test
  void shardsWithIndexAndKeepsValuesAcrossDtypesAndSeeds() throws Exception {
    var spec = RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY).withMaxShardBytes(100_000);
    Path sharded = tmp.resolve("sharded");
    RandomModelWriter.write(spec, sharded);
    Path single = tmp.resolve("single");
    RandomModelWriter.write(spec.withMaxShardBytes(1L << 30), single);
    Path other = tmp.resolve("other");
    RandomModelWriter.write(spec.withSeed(7).withMaxShardBytes(1L << 30), other);
    Path bf = tmp.resolve("bf16");
    RandomModelWriter.write(spec.withDType(DType.BF16), bf);
    assertThat(new ObjectMapper().readTree(sharded.resolve(ModelFolder.INDEX_FILE).toFile())
        .get("weight_map").size()).isGreaterThan(10);
    String t = LlamaTensorNames.mlp(1, "down_proj");
    try (ModelFolder s = ModelFolder.open(sharded); ModelFolder one = ModelFolder.open(single);
         ModelFolder o = ModelFolder.open(other); ModelFolder b = ModelFolder.open(bf)) {
      assertThat(s.fileCount()).isGreaterThan(1);
      assertThat(s.read(t)).containsExactly(one.read(t));
      assertThat(o.read(t)).isNotEqualTo(one.read(t));
      assertThat(b.config().torchDtype()).isEqualTo("bfloat16");
      float[] x = one.read(t);
      float[] y = b.read(t);
      for (int i = 0; i < x.length; i++) {
        assertThat(Math.abs(x[i] - y[i])).isLessThanOrEqualTo(Math.abs(x[i]) / 128 + 1e-30f);
      }
    }
  }

  @Test
  void parsesHuggingFaceConfigVariants() throws Exception {
    String json = """
        {"model_type":"llama","hidden_size":128,"intermediate_size":256,"num_hidden_layers":2,
         "num_attention_heads":8,"num_key_value_heads":2,"vocab_size":300,"rope_theta":500000.0,
         "rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,
         "original_max_position_embeddings":8192},"tie_word_embeddings":true,"eos_token_id":[5,6]}""";
    ModelConfig c = ModelConfig.fromJson(new ObjectMapper().readTree(json));
    assertThat(c.headDim()).isEqualTo(16);
    assertThat(c.kvDim()).isEqualTo(32);
    assertThat(c.ropeScaling().factor()).isEqualTo(8.0);
    assertThat(c.eosTokenIds()).isEqualTo(List.of(5, 6));
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(ModelConfig.fromJson(c.toJson())).isEqualTo(c);
    ModelConfig q = ModelConfig.fromJson(new ObjectMapper().readTree(
        "{\"model_type\":\"qwen2\",\"hidden_size\":64,\"intermediate_size\":96,\"num_hidden_layers\":1,"
            + "\"num_attention_heads\":4,\"vocab_size\":100}"));
    assertThat(q.attentionBias()).isTrue();
  }
}
