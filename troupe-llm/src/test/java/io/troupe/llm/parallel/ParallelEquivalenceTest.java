package io.troupe.llm.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.model.Family;
import io.troupe.llm.model.NaiveLlama;
import io.troupe.llm.model.TestModels;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.SequenceChunk;
import io.troupe.llm.spi.StepBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TP=2, PP=2 and TP=2 x PP=2 over the in-process transport against one rank and the double-precision
 * oracle, for the Llama test models and a model of every family. Tolerance: max |logit difference| <= 1e-4 * max(1, max |logit|) (float sums in another order).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParallelEquivalenceTest {
  static final double TOL = 1e-4;
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static Path tiny;
  static Path variant;

  @BeforeAll
  static void models() {
    tiny = TestModels.tiny(tmp.resolve("tiny"));
    variant = TestModels.variant(tmp.resolve("variant"));
  }

  static RankOptions opts() {
    return RankOptions.defaults().withBlockSize(4).withKvCacheBytes(1 << 20);
  }

  static final int[][] LAYOUTS = {{1, 1}, {2, 1}, {1, 2}, {2, 2}};

  static ModelExecutor executor(Path model, int tp, int pp) {
    return tp == 1 && pp == 1 ? SingleRankExecutor.load(model, opts())
        : InProcessRanks.start(model, tp, pp, opts(), TIMEOUT).executor();
  }

  @Test
  void shardedLogitsMatchTheOracle() {
    for (Path model : List.of(tiny, variant)) {
      checkAgainstOracle(model);
    }
  }

  /** Every family (q/k norms, Gemma's norms and soft-caps, sliding layers split over stages, fused Phi-3). */
  @ParameterizedTest
  @EnumSource(Family.class)
  void everyFamilyShardsToTheOracle(Family family) {
    checkAgainstOracle(TestModels.family(family, tmp.resolve("family-" + family.modelType())));
  }

  private static void checkAgainstOracle(Path model) {
    {
      int[] a = {1, 5, 9, 200, 31, 7, 7, 42, 99};
      int[] b = {3, 4, 250, 6};
      NaiveLlama oracle = new NaiveLlama(model);
      double[][] ra = oracle.logits(a);
      double[][] rb = oracle.logits(b);
      for (int[] layout : LAYOUTS) {
        try (ModelExecutor ex = executor(model, layout[0], layout[1])) {
          // step 0: prefill both (two micro-batches when pipelined); step 1: one decode token each
          var s0 = ex.execute(new StepBatch(0, 0, List.of(
              new SequenceChunk(1, java.util.Arrays.copyOf(a, 8), 0, new int[] {0, 1, 2}, true),
              new SequenceChunk(2, java.util.Arrays.copyOf(b, 3), 0, new int[] {5}, true)), 2));
          var s1 = ex.execute(new StepBatch(1, 0, List.of(
              new SequenceChunk(1, new int[] {a[8]}, 8, new int[] {0, 1, 2}, true),
              new SequenceChunk(2, new int[] {b[3]}, 3, new int[] {5}, true)), 2));
          String what = model.getFileName() + " tp=" + layout[0] + " pp=" + layout[1];
          assertThat(err(s0.logits().get(1L), ra[7])).as(what).isLessThan(TOL);
          assertThat(err(s0.logits().get(2L), rb[2])).as(what).isLessThan(TOL);
          assertThat(err(s1.logits().get(1L), ra[8])).as(what).isLessThan(TOL);
          assertThat(err(s1.logits().get(2L), rb[3])).as(what).isLessThan(TOL);
        }
      }
    }
  }

  @Test
  void shardedEnginesProduceTheSameGreedyTokensAsOneRank() {
    List<List<Integer>> reference = null;
    for (int[] layout : LAYOUTS) {
      try (LlmEngine e = new LlmEngine(executor(tiny, layout[0], layout[1]),
          EngineConfig.defaults().withMaxBatchTokens(12).withMicroBatches(2), null, InstantSource.system(),
          new SplittableRandom(1))) {
        List<List<Integer>> got = run(e);
        if (reference == null) {
          reference = got;
        } else {
          assertThat(got).as("tp=%d pp=%d", layout[0], layout[1]).isEqualTo(reference);
        }
      }
    }
  }

  private static List<List<Integer>> run(LlmEngine e) {
    int n = 4;
    List<List<Integer>> out = new ArrayList<>();
    var finished = new ConcurrentHashMap<String, GenerationEvent.Finished>();
    for (int i = 0; i < n; i++) {
      int[] p = new int[4 + 6 * i];
      for (int j = 0; j < p.length; j++) {
        p[j] = 1 + (j * 37 + i * 11) % 500;
      }
      e.submit(new GenerationRequest("r" + i, p, SamplingParams.builder().maxTokens(8).ignoreEos(true).build()),
          ev -> {
            if (ev instanceof GenerationEvent.Finished f) {
              finished.put(f.requestId(), f);
            }
          });
    }
    e.runUntilIdle();
    for (int i = 0; i < n; i++) {
      var f = finished.get("r" + i);
      assertThat(f.reason()).isEqualTo(FinishReason.LENGTH);
      List<Integer> toks = new ArrayList<>();
      for (int t : f.outputTokens()) {
        toks.add(t);
      }
      out.add(toks);
    }
    return out;
  }

  @Test
  void aDeadRankFailsInFlightRequestsWithAClearError() {
    var group = InProcessRanks.start(tiny, 2, 2, opts(), TIMEOUT);
    try (LlmEngine e = new LlmEngine(group.executor(), EngineConfig.defaults(), null, InstantSource.system(),
        new SplittableRandom(1))) {
      var events = new ConcurrentHashMap<String, GenerationEvent.Finished>();
      for (String id : List.of("a", "b")) {
        e.submit(new GenerationRequest(id, new int[] {1, 2, 3}, SamplingParams.greedy(50)), ev -> {
          if (ev instanceof GenerationEvent.Finished f) {
            events.put(f.requestId(), f);
          }
        });
      }
      e.step();
      e.step();
      group.kill(1, 0);
      e.runUntilIdle();
      assertThat(events).hasSize(2);
      assertThat(events.values()).allSatisfy(f -> {
        assertThat(f.reason()).isEqualTo(FinishReason.ERROR);
        assertThat(f.detail()).contains("rank(tp=1/2, pp=0/2").contains("died");
      });
      // the group stays down; later requests fail at once
      var late = new ConcurrentHashMap<String, GenerationEvent.Finished>();
      e.submit(new GenerationRequest("c", new int[] {1}, SamplingParams.greedy(2)), ev -> {
        if (ev instanceof GenerationEvent.Finished f) {
          late.put(f.requestId(), f);
        }
      });
      e.runUntilIdle();
      assertThat(late.get("c").reason()).isEqualTo(FinishReason.ERROR);
      assertThatThrownBy(() -> group.executor().execute(new StepBatch(99, 0, List.of(
          new SequenceChunk(1, new int[] {1}, 0, new int[] {0}, true)), 1)))
          .isInstanceOf(RankFailureException.class).hasMessageContaining("is down");
    }
  }

  @Test
  void staleEpochIsFencedOff() {
    var group = InProcessRanks.start(tiny, 2, 1, opts(), TIMEOUT);
    try (var ex = group.executor(); var f = io.troupe.llm.model.ModelFolder.open(tiny);
         RankWorker w = RankWorker.create(f, group.transport().spec(0, 0), opts(), group.transport().transport(0, 0))) {
      assertThatThrownBy(() -> w.runStep(new StepBatch(0, 7, List.of(
          new SequenceChunk(1, new int[] {1}, 0, new int[] {0}, true)), 1)))
          .isInstanceOf(RankFailureException.class).hasMessageContaining("epoch 7");
    }
  }

  static double err(float[] got, double[] want) {
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
