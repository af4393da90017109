package io.troupe.llm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.model.TestModels;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Continuous batching, chunked prefill, prefix caching, preemption, abort and stops on a tiny model. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EngineTest {
  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void writeModel() {
    model = TestModels.tiny(tmp.resolve("tiny"));
  }

  static LlmEngine engine(long kvBytes, EngineConfig cfg) {
    var exec = SingleRankExecutor.load(model, RankOptions.defaults().withBlockSize(4).withKvCacheBytes(kvBytes));
    return new LlmEngine(exec, cfg, null, new ManualClock(), new SplittableRandom(1));
  }

  static int[] prompt(int seed, int len) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] p = new int[len];
    for (int i = 0; i < len; i++) {
      p[i] = 3 + r.nextInt(500);
    }
    return p;
  }

  static SamplingParams params(int i) {
    return i % 2 == 0
        ? SamplingParams.builder().maxTokens(6 + i).ignoreEos(true).build()
        : SamplingParams.builder().temperature(0.9).topK(50).topP(0.95).seed(100 + i).maxTokens(6 + i)
            .ignoreEos(true).build();
  }

  /** What each request produces when it runs alone. */
  static Map<Integer, List<Integer>> solo(int n, int[][] prompts) {
    Map<Integer, List<Integer>> out = new LinkedHashMap<>();
    try (LlmEngine e = engine(1 << 20, EngineConfig.defaults().withPrefixCaching(false))) {
      for (int i = 0; i < n; i++) {
        Collector c = new Collector();
        e.submit(new GenerationRequest("r" + i, prompts[i], params(i)), c);
        e.runUntilIdle();
        assertThat(c.reason()).isEqualTo(FinishReason.LENGTH);
        out.put(i, c.tokens());
      }
    }
    return out;
  }

  static int[][] prompts(int n) {
    int[][] p = new int[n][];
    for (int i = 0; i < n; i++) {
      p[i] = prompt(i, 3 + 5 * i);
    }
    return p;
  }

  @Test
  void continuousBatchingGivesEachRequestItsSoloTokens() {
    int n = 6;
    int[][] prompts = prompts(n);
    Map<Integer, List<Integer>> expected = solo(n, prompts);
    // small token budget: long prompts are prefilled in chunks beside decoding sequences
    try (LlmEngine e = engine(1 << 20, EngineConfig.defaults().withMaxBatchTokens(8))) {
      List<Collector> cs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        cs.add(new Collector());
      }
      for (int i = 0; i < n; i++) {
        e.submit(new GenerationRequest("r" + i, prompts[i], params(i)), cs.get(i));
        e.step(); // requests join while others run
        e.step();
      }
      e.runUntilIdle();
      for (int i = 0; i < n; i++) {
        assertThat(cs.get(i).tokens()).as("request %d", i).isEqualTo(expected.get(i));
        assertThat(cs.get(i).reason()).isEqualTo(FinishReason.LENGTH);
      }
      assertThat(e.metrics().running()).isZero();
      assertThat(e.metrics().kvUsage()).isZero();
    }
  }

  @Test
  void tinyKvBudgetForcesPreemptionAndOutputsStayCorrect() {
    int n = 5;
    int[][] prompts = prompts(n);
    Map<Integer, List<Integer>> expected = solo(n, prompts);
    // tiny model: 2 layers x 32 kv dims x 4 positions x K,V x 4 bytes = 2 KiB per block; 10 blocks = 40 positions
    try (LlmEngine e = engine(10 * 2048, EngineConfig.defaults())) {
      assertThat(e.executor().kvBlocks()).isEqualTo(10);
      List<Collector> cs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Collector c = new Collector();
        cs.add(c);
        e.submit(new GenerationRequest("r" + i, prompts[i], params(i)), c);
      }
      e.runUntilIdle();
      assertThat(e.metrics().preemptions()).isPositive();
      for (int i = 0; i < n; i++) {
        assertThat(cs.get(i).tokens()).as("request %d", i).isEqualTo(expected.get(i));
      }
    }
  }

  @Test
  void prefixCacheHitChangesNothing() {
    int[] shared = prompt(42, 21);
    int[] a = java.util.Arrays.copyOf(shared, 25);
    int[] b = java.util.Arrays.copyOf(shared, 23);
    a[22] = 7;
    b[21] = 9;
    SamplingParams p = SamplingParams.builder().maxTokens(8).ignoreEos(true).build();
    List<List<Integer>> cached = new ArrayList<>();
    List<List<Integer>> uncached = new ArrayList<>();
    for (boolean caching : new boolean[] {true, false}) {
      try (LlmEngine e = engine(1 << 20, EngineConfig.defaults().withPrefixCaching(caching))) {
        for (int[] pr : List.of(shared, a, b, shared)) {
          Collector c = new Collector();
          e.submit(new GenerationRequest("x", pr, p), c);
          e.runUntilIdle();
          (caching ? cached : uncached).add(c.tokens());
        }
        if (caching) {
          assertThat(e.metrics().prefixHitRate()).isGreaterThan(0.5);
        } else {
          assertThat(e.metrics().prefixHitRate()).isZero();
        }
      }
    }
    assertThat(cached).isEqualTo(uncached);
  }

  @Test
  void abortFreesBlocksAtOnce() {
    try (LlmEngine e = engine(1 << 20, EngineConfig.defaults())) {
      Collector c = new Collector();
      e.submit(new GenerationRequest("a", prompt(1, 30), SamplingParams.greedy(1000)), c);
      e.step();
      e.step();
      assertThat(e.metrics().kvUsage()).isPositive();
      e.abort("a");
      e.step();
      assertThat(c.reason()).isEqualTo(FinishReason.ABORT);
      assertThat(e.metrics().kvUsage()).isZero();
      assertThat(e.metrics().running()).isZero();
    }
  }

  @Test
  void stopTokenIdsStopStringsAndErrors() {
    int[] pr = prompt(3, 10);
    List<Integer> free;
    try (LlmEngine e = engine(1 << 20, EngineConfig.defaults())) {
      Collector c = new Collector();
      e.submit(new GenerationRequest("f", pr, SamplingParams.builder().maxTokens(8).ignoreEos(true).build()), c);
      e.runUntilIdle();
      free = c.tokens();
    }
    int stopAt = free.get(3);
    int idx = free.indexOf(stopAt);
    var exec = SingleRankExecutor.load(model, RankOptions.defaults().withBlockSize(4));
    try (LlmEngine e = new LlmEngine(exec, EngineConfig.defaults(), toks -> {
      StringBuilder sb = new StringBuilder();
      for (int t : toks) {
        sb.append('<').append(t).append('>');
      }
      return sb.toString();
    }, new ManualClock(), new SplittableRandom(1))) {
      Collector byId = new Collector();
      e.submit(new GenerationRequest("i", pr, SamplingParams.builder().maxTokens(8).ignoreEos(true)
          .stopTokenIds(Set.of(stopAt)).build()), byId);
      Collector byString = new Collector();
      e.submit(new GenerationRequest("s", pr, SamplingParams.builder().maxTokens(8).ignoreEos(true)
          .stopStrings(List.of("<" + free.get(1) + "><" + free.get(2) + ">")).build()), byString);
      Collector bad = new Collector();
      e.submit(new GenerationRequest("b", new int[] {1, 9999}, SamplingParams.greedy(3)), bad);
      e.runUntilIdle();
      assertThat(byId.reason()).isEqualTo(FinishReason.STOP);
      assertThat(byId.tokens()).isEqualTo(free.subList(0, idx + 1));
      assertThat(byString.reason()).isEqualTo(FinishReason.STOP);
      assertThat(byString.tokens()).isEqualTo(free.subList(0, 3));
      assertThat(byString.finished.detail()).startsWith("<");
      assertThat(bad.reason()).isEqualTo(FinishReason.ERROR);
      assertThat(bad.finished.detail()).contains("outside the vocabulary");
    }
    try (LlmEngine e = engine(1 << 20, EngineConfig.defaults())) {
      Collector c = new Collector();
      e.submit(new GenerationRequest("s", pr, SamplingParams.builder().stopStrings(List.of("x")).build()), c);
      e.runUntilIdle();
      assertThat(c.finished.detail()).contains("need a tokenizer");
    }
  }

  @Test
  void metricsUseTheInjectedClock() {
    var exec = SingleRankExecutor.load(model, RankOptions.defaults().withBlockSize(4));
    ManualClock clock = new ManualClock();
    try (LlmEngine e = new LlmEngine(exec, EngineConfig.defaults(), null, clock, new SplittableRandom(1))) {
      Collector c = new Collector();
      e.submit(new GenerationRequest("m", prompt(5, 8), SamplingParams.builder().maxTokens(3).ignoreEos(true)
          .build()), c);
      e.step(); // admitted at t0; prefill; first token at t0 (clock not moved)
      clock.advance(Duration.ofMillis(40));
      e.step();
      clock.advance(Duration.ofMillis(40));
      e.step();
      assertThat(c.reason()).isEqualTo(FinishReason.LENGTH);
      var m = e.metrics();
      assertThat(m.finished()).isEqualTo(1);
      assertThat(m.meanTtftMillis()).isZero();
      assertThat(m.meanTpotMillis()).isEqualTo(40.0);
    }
  }

  @Test
  void backgroundLoopServesConcurrentSubmits() throws Exception {
    try (LlmEngine e = engine(1 << 20, EngineConfig.defaults())) {
      e.start();
      List<Collector> cs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Collector c = new Collector();
        cs.add(c);
        e.submit(new GenerationRequest("bg" + i, prompt(i, 5), SamplingParams.builder().maxTokens(5)
            .ignoreEos(true).build()), c);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (cs.stream().anyMatch(c -> c.finished == null) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(cs).allSatisfy(c -> assertThat(c.tokens()).hasSize(5));
    }
  }
}
