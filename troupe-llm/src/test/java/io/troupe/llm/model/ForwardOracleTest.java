package io.troupe.llm.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.kernels.MatMul;
import io.troupe.llm.kernels.ScalarKernels;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.RankTransport;
import io.troupe.llm.spi.SequenceChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimized single-rank forward (paged KV cache, chunked prefill, batched decode, vector or scalar
 * kernels, F32 or int8 weights) against the double-precision oracle. Tolerance: max |logit difference|
 * below 1e-4 * max(1, max |logit|) for float weights; 5e-2 relative for int8.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardOracleTest {
  static final double TOL = 1e-4;
  @TempDir Path tmp;

  static final int[] PROMPT = {1, 17, 300, 42, 42, 7, 99, 250, 3, 11, 400, 5, 6};

  @Test
  void tinyModelMatchesOracleWithChunkedPrefillAndDecode() {
    Path dir = TestModels.tiny(tmp.resolve("tiny"));
    double[][] ref = new NaiveLlama(dir).logits(PROMPT);
    for (MatMul mm : List.of(new MatMul(Kernels.best(), 2), new MatMul(new ScalarKernels(), 1))) {
      try (mm) {
        double e = maxError(dir, mm, false, ref, 5);
        System.out.printf("forward vs oracle (%s): max relative logit error %.2e%n", mm.kernels().name(), e);
        assertThat(e).isLessThan(TOL);
        assertThat(maxError(dir, mm, false, ref, 100)).isLessThan(TOL);
      }
    }
  }

  @Test
  void gqaBiasTiedRopeScalingBf16VariantMatchesOracle() {
    Path dir = TestModels.variant(tmp.resolve("variant"));
    int[] prompt = {1, 2, 3, 250, 299, 7, 7, 7, 100, 31};
    double[][] ref = new NaiveLlama(dir).logits(prompt);
    try (MatMul mm = new MatMul(Kernels.best(), 1)) {
      assertThat(maxError(dir, mm, false, ref, 4, prompt)).isLessThan(TOL);
    }
  }

  @Test
  void sixteenBitWeightsHeldAsStored() {
    Path dir = TestModels.variant(tmp.resolve("variant")); // BF16 on disk
    int[] prompt = {1, 2, 3, 250, 299, 7, 7, 7, 100, 31};
    double[][] ref = new NaiveLlama(dir).logits(prompt);
    try (MatMul mm = new MatMul(Kernels.best(), 2); ModelFolder f = ModelFolder.open(dir)) {
      ShardWeights auto = ShardWeights.load(f, RankSpec.single(), WeightType.AUTO);
      ShardWeights f32 = ShardWeights.load(f, RankSpec.single(), WeightType.FLOAT32);
      assertThat(auto.layers().get(0).wq()).isInstanceOf(io.troupe.llm.kernels.Half16Matrix.class);
      assertThat(auto.bytesPerToken() * 2).isEqualTo(f32.bytesPerToken());
      assertThat(auto.memoryBytes()).isLessThan(f32.memoryBytes());
      // exact: bfloat16 values widen to the same floats the oracle reads
      assertThat(maxError(dir, mm, WeightType.AUTO, ref, 4, prompt)).isLessThan(TOL);
      assertThat(maxError(dir, mm, WeightType.FLOAT16, ref, 4, prompt)).isLessThan(TOL);
    }
    Path tiny = TestModels.tiny(tmp.resolve("tiny")); // F32 on disk, rounded to 16 bits at load
    double[][] tinyRef = new NaiveLlama(tiny).logits(PROMPT);
    try (MatMul mm = new MatMul(Kernels.best(), 1)) {
      double bf = maxError(tiny, mm, WeightType.BFLOAT16, tinyRef, 5, PROMPT);
      double fp = maxError(tiny, mm, WeightType.FLOAT16, tinyRef, 5, PROMPT);
      System.out.printf("bfloat16 forward vs oracle %.2e, float16 %.2e%n", bf, fp);
      assertThat(bf).isLessThan(2e-2).isGreaterThan(fp);
      assertThat(fp).isLessThan(3e-3);
    }
  }

  @Test
  void int8WeightsStayClose() {
    Path dir = TestModels.tiny(tmp.resolve("tiny"));
    double[][] ref = new NaiveLlama(dir).logits(PROMPT);
    try (MatMul mm = new MatMul(Kernels.best(), 1)) {
      double e = maxError(dir, mm, true, ref, 100);
      System.out.printf("int8 forward vs oracle: max relative logit error %.2e%n", e);
      assertThat(e).isLessThan(5e-2);
      // the check can fail: an oracle of another prompt is far off
      double[][] wrong = new NaiveLlama(dir).logits(new int[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
      assertThat(maxError(dir, mm, false, wrong, 100)).isGreaterThan(0.1);
    }
  }

  private double maxError(Path dir, MatMul mm, boolean int8, double[][] ref, int chunk) {
    return maxError(dir, mm, int8, ref, chunk, PROMPT);
  }

  /**
   * Runs the prompt as prefill chunks of {@code chunk} tokens, then feeds the remaining prompt tokens
   * one at a time as decode steps beside a second sequence, comparing every logit row with the oracle.
   */
  static double maxError(Path dir, MatMul mm, boolean int8, double[][] ref, int chunk, int[] prompt) {
    return maxError(dir, mm, int8 ? WeightType.INT8 : WeightType.FLOAT32, ref, chunk, prompt);
  }

  static double maxError(Path dir, MatMul mm, WeightType type, double[][] ref, int chunk, int[] prompt) {
    try (ModelFolder f = ModelFolder.open(dir)) {
      ShardWeights w = ShardWeights.load(f, RankSpec.single(), type);
      int blockSize = 4;
      KvCache kv = new KvCache(w.layers().size(), 16, blockSize, f.config().kvDim());
      ShardForward fwd = new ShardForward(w, kv, mm);
      // A scattered block table so that paging matters; a second sequence uses the other blocks.
      int[] table = {9, 2, 14, 5, 0};
      int[] other = {1, 3};
      int prefill = prompt.length - 3;
      double err = 0;
      for (int start = 0; start < prefill; start += chunk) {
        int len = Math.min(chunk, prefill - start);
        int[] toks = java.util.Arrays.copyOfRange(prompt, start, start + len);
        var ch = new SequenceChunk(1, toks, start, table, true);
        float[][] lg = fwd.logits(List.of(ch), fwd.hidden(List.of(ch), null, RankTransport.single()),
            RankTransport.single());
        err = Math.max(err, diff(lg[0], ref[start + len - 1]));
      }
      for (int p = prefill; p < prompt.length; p++) {
        List<SequenceChunk> batch = new ArrayList<>();
        batch.add(new SequenceChunk(2, new int[] {5, 6}, 0, other, false));
        batch.add(new SequenceChunk(1, new int[] {prompt[p]}, p, table, true));
        float[][] lg = fwd.logits(batch, fwd.hidden(batch, null, RankTransport.single()), RankTransport.single());
        err = Math.max(err, diff(lg[0], ref[p]));
      }
      return err;
    }
  }

  static double diff(float[] got, double[] want) {
    double max = 1;
    for (double v : want) {
      max = Math.max(max, Math.abs(v));
    }
    double d = 0;
    for (int i = 0; i < want.length; i++) {
      d = Math.max(d, Math.abs(got[i] - want[i]));
    }
    return d / max;
  }
}
