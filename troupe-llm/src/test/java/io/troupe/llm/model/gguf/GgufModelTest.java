package io.troupe.llm.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.kernels.MatMul;
import io.troupe.llm.kernels.Q8Matrix;
import io.troupe.llm.model.DType;
import io.troupe.llm.model.Family;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.ModelFolder;
import io.troupe.llm.model.NaiveLlama;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.model.ShardWeights;
import io.troupe.llm.model.TestModels;
import io.troupe.llm.model.WeightType;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GGUF files (written by the test-side {@link GgufConvert} the way llama.cpp converts a checkpoint) load as the
 * same model: F32 GGUF of every convertible family gives the oracle's logits of the Hugging Face folder (Llama's
 * permuted q/k and Gemma's 1 + w norms undone); Q8_0 and Q4_K/Q6_K (a Q4_K_M-like mix) stay close; the block
 * decoders follow ggml's bit layouts; the tokenizer and config come from the metadata.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GgufModelTest {
  static final int[] PROMPT = {1, 17, 300, 42, 42, 7, 99, 250, 3, 11, 400, 5, 6};
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(value = Family.class, names = {"LLAMA", "QWEN2", "QWEN3", "GEMMA2", "GEMMA3", "PHI3"})
  void f32GgufIsTheSameModel(Family family) throws Exception {
    Path hf = TestModels.family(family, tmp.resolve("hf"));
    Path gguf = GgufConvert.convert(hf, tmp.resolve("m.gguf"), GgufType.F32, GgufType.F32);
    double[][] ref = new NaiveLlama(hf).logits(PROMPT);
    double[][] viaGguf = new NaiveLlama(gguf).logits(PROMPT);
    for (int t = 0; t < PROMPT.length; t++) {
      assertThat(io.troupe.llm.model.ForwardOracleAccess.diff(viaGguf[t], ref[t])).isLessThan(1e-9);
    }
    try (MatMul mm = new MatMul(Kernels.best(), 2)) {
      assertThat(io.troupe.llm.model.ForwardOracleAccess.maxError(gguf, mm, WeightType.AUTO, ref, 4, PROMPT))
          .as(family.toString()).isLessThan(1e-4);
    }
    try (ModelFolder f = ModelFolder.open(gguf)) {
      assertThat(f.isGguf()).isTrue();
      assertThat(f.config().family()).isEqualTo(family);
      assertThat(f.config().arch()).isEqualTo(ModelConfig.read(hf).arch());
    }
  }

  @Test
  void quantizedFilesStayCloseAndAreHeldAsInt8() throws Exception {
    ModelConfig base = new ModelConfig(256, 512, 2, 4, 2, 64, 512, 2048, 1e-5, 10000.0, null, false, false, 1,
        List.of(2), "llama", "float32");
    Path hf = TestModels.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY).withConfig(base)
        .withDType(DType.F32).withSeed(5), tmp.resolve("hf256"));
    double[][] ref = new NaiveLlama(hf).logits(PROMPT);
    Path q8 = GgufConvert.convert(hf, tmp.resolve("q8.gguf"), GgufType.Q8_0, GgufType.Q8_0);
    Path q4km = GgufConvert.convert(hf, tmp.resolve("q4km.gguf"), GgufType.Q4_K, GgufType.Q6_K);
    Path f16 = GgufConvert.convert(hf, tmp.resolve("f16.gguf"), GgufType.F16, GgufType.F16);
    try (MatMul mm = new MatMul(Kernels.best(), 2)) {
      double eF16 = io.troupe.llm.model.ForwardOracleAccess.maxError(f16, mm, WeightType.AUTO, ref, 5, PROMPT);
      double eQ8 = io.troupe.llm.model.ForwardOracleAccess.maxError(q8, mm, WeightType.AUTO, ref, 5, PROMPT);
      double eQ4 = io.troupe.llm.model.ForwardOracleAccess.maxError(q4km, mm, WeightType.AUTO, ref, 5, PROMPT);
      System.out.printf("GGUF vs oracle: F16 %.2e, Q8_0 %.2e, Q4_K/Q6_K %.2e%n", eF16, eQ8, eQ4);
      assertThat(eF16).isLessThan(3e-3);
      assertThat(eQ8).isLessThan(3e-2).isGreaterThan(eF16);
      assertThat(eQ4).isLessThan(0.25).isGreaterThan(eQ8);
    }
    try (ModelFolder f = ModelFolder.open(q4km)) {
      ShardWeights w = ShardWeights.load(f, RankSpec.single(), WeightType.AUTO);
      assertThat(w.layers().get(0).wq()).isInstanceOf(Q8Matrix.class);
      assertThat(Files.size(q4km)).isLessThan(Files.size(q8));
    }
  }

  @Test
  void blockDecodersFollowGgmlLayouts() {
    // Q4_K: d = 1, dmin = 0.5; sub-block 5's 6-bit scale/min are split over bytes 1, 5 and 9 of the scales
    ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(Float.floatToFloat16(1f)).putShort(Float.floatToFloat16(0.5f));
    byte[] sc = new byte[12];
    sc[0] = 7;                        // sub-block 0: scale 7
    sc[4] = 3;                        // sub-block 0: min 3
    sc[1] = (byte) (2 << 6);          // high bits of sub-block 5's scale (2)
    sc[5] = (byte) (1 << 6);          // high bits of sub-block 5's min (1)
    sc[9] = (byte) (0xA | (3 << 4));  // low nibbles: scale 0xA, min 3
    b.put(sc);
    for (int i = 0; i < 128; i++) {
      b.put((byte) 0x52); // low nibble 2 (first 32 of each 64), high nibble 5 (next 32)
    }
    float[] y = new float[256];
    GgufDequant.decode(GgufType.Q4_K, b.position(0), y, 0, 256);
    assertThat(y[0]).isEqualTo(7 * 2 - 0.5f * 3);                 // sub-block 0
    assertThat(y[160]).isEqualTo(42 * 5 - 0.5f * 19);             // sub-block 5 = second half of bytes 128..
    // Q8_0: scale then 32 int8
    ByteBuffer q8 = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
    q8.putShort(Float.floatToFloat16(0.25f));
    for (int i = 0; i < 32; i++) {
      q8.put((byte) (i - 16));
    }
    float[] z = new float[32];
    GgufDequant.decode(GgufType.Q8_0, q8.position(0), z, 0, 32);
    assertThat(z[0]).isEqualTo(-4f);
    assertThat(z[31]).isEqualTo(3.75f);
    // round trips through the writer's quantizers
    SplittableRandom r = new SplittableRandom(1);
    float[] x = new float[512];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 0.1);
    }
    for (GgufType t : List.of(GgufType.Q8_0, GgufType.Q6_K, GgufType.Q4_K, GgufType.F16)) {
      byte[] enc = GgufWriter.encode(new GgufWriter.Entry("t", new long[] {2, 256}, x, t));
      float[] back = new float[512];
      GgufDequant.decode(t, ByteBuffer.wrap(enc), back, 0, 512);
      double err = 0;
      for (int i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(back[i] - x[i]));
      }
      double bound = switch (t) {
        case Q4_K -> 0.05;
        case Q6_K -> 0.01;
        case Q8_0 -> 0.003;
        default -> 1e-4;
      };
      assertThat(err).as(t.toString()).isLessThan(bound);
    }
  }

  @Test
  void tokenizerAndTemplateComeFromTheMetadata() throws Exception {
    Path hf = TestModels.family(Family.QWEN3, tmp.resolve("hf"));
    Path dir = Files.createDirectories(tmp.resolve("only-gguf"));
    GgufConvert.convert(hf, dir.resolve("model-Q8_0.gguf"), GgufType.Q8_0, GgufType.Q8_0);
    Tokenizer fromJson = Tokenizer.fromDirectory(hf);
    Tokenizer fromGguf = Tokenizer.fromDirectory(dir); // the folder's only model is the .gguf
    String text = "Hello world, 12345 <|eot_id|> x";
    assertThat(fromGguf.encode(text, true)).containsExactly(fromJson.encode(text, true));
    assertThat(fromGguf.chatTemplate()).isEqualTo(fromJson.chatTemplate());
    assertThat(fromGguf.eosIds()).contains(fromJson.eosIds()[0]);
  }

  @Test
  void aGgufFileOpensAsALocalModelAndGeneratesLikeItsFolder() throws Exception {
    Path hf = TestModels.tiny(tmp.resolve("tiny"));
    Path gguf = GgufConvert.convert(hf, tmp.resolve("tiny-f32.gguf"), GgufType.F32, GgufType.F32);
    io.troupe.llm.parallel.RankOptions opts = io.troupe.llm.parallel.RankOptions.defaults().withKvCacheBytes(1 << 20);
    try (var a = io.troupe.llm.local.LocalModel.open(hf, opts); var b = io.troupe.llm.local.LocalModel.open(gguf, opts)) {
      int[] prompt = a.tokenizer().encode("Hello world", true);
      assertThat(b.tokenizer().encode("Hello world", true)).containsExactly(prompt);
      var step = new io.troupe.llm.spi.StepBatch(0, 0, List.of(new io.troupe.llm.spi.SequenceChunk(1, prompt, 0,
          new int[] {0, 1, 2, 3}, true)), 1);
      float[] la = a.executor().execute(step).logits().get(1L);
      float[] lb = b.executor().execute(step).logits().get(1L);
      assertThat(lb).containsExactly(la);
    }
  }

  @Test
  void unsupportedFilesAreRefusedClearly() throws Exception {
    Path bad = tmp.resolve("bad.gguf");
    Files.write(bad, new byte[] {'G', 'G', 'M', 'L', 0, 0, 0, 0});
    assertThatThrownBy(() -> ModelFolder.open(bad)).hasMessageContaining("not a GGUF file");
    Path other = tmp.resolve("other.gguf");
    GgufWriter.write(other, Map.of("general.architecture", "mamba"), List.of());
    assertThatThrownBy(() -> ModelFolder.open(other)).hasMessageContaining("GGUF architecture 'mamba' is not "
        + "supported").hasMessageContaining("qwen3");
  }
}
