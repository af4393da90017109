package io.troupe.llm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.TestModels;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import io.troupe.testkit.ManualClock;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor that {@link ModelExecutor#recovers()} (a rank group that restarts): a failed step fails only the
 * requests in flight, later requests are served, and the prefix cache is forgotten because the restarted ranks'
 * KV memory is empty. One that does not recover keeps failing every request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineRecoveryTest {
  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void writeModel() {
    model = TestModels.tiny(tmp.resolve("tiny"));
  }

  /** Fails one chosen step, then continues on a freshly loaded rank (empty KV memory), like a gang restart. */
  static final class Restarting implements ModelExecutor {
    final boolean recovers;
    SingleRankExecutor inner = load();
    boolean failNext;

    Restarting(boolean recovers) {
      this.recovers = recovers;
    }

    static SingleRankExecutor load() {
      return SingleRankExecutor.load(model, RankOptions.defaults().withBlockSize(4).withKvCacheBytes(1 << 20));
    }

    @Override
    public ModelConfig config() {
      return inner.config();
    }

    @Override
    public int kvBlocks() {
      return inner.kvBlocks();
    }

    @Override
    public int blockSize() {
      return inner.blockSize();
    }

    @Override
    public boolean recovers() {
      return recovers;
    }

    @Override
    public StepOutput execute(StepBatch batch) {
      if (failNext) {
        failNext = false;
        inner.close();
        inner = load();
        throw new RankFailureException("rank(tp=1/2) lost with its node");
      }
      return inner.execute(batch);
    }

    @Override
    public String describe() {
      return "restarting test executor";
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  static Collector run(LlmEngine e, String id, int[] prompt) {
    Collector c = new Collector();
    e.submit(new GenerationRequest(id, prompt, SamplingParams.builder().maxTokens(6).ignoreEos(true).build()), c);
    e.runUntilIdle();
    return c;
  }

  @Test
  void aRecoveringExecutorFailsOnlyTheInFlightRequestsAndForgetsItsPrefixCache() {
    int[] prompt = EngineTest.prompt(7, 21); // 5 full blocks of 4: cached after the first run
    Restarting ex = new Restarting(true);
    try (LlmEngine e = new LlmEngine(ex, EngineConfig.defaults(), null, new ManualClock(), new SplittableRandom(1))) {
      List<Integer> first = run(e, "a", prompt).tokens();

      Collector inFlight = new Collector();
      e.submit(new GenerationRequest("b", prompt, SamplingParams.builder().maxTokens(6).ignoreEos(true).build()),
          inFlight);
      e.step();
      ex.failNext = true;
      e.runUntilIdle();
      assertThat(inFlight.reason()).isEqualTo(FinishReason.ERROR);
      assertThat(inFlight.finished.detail()).contains("rank(tp=1/2) lost with its node");
      assertThat(e.metrics().kvUsage()).isZero();

      Collector again = run(e, "c", prompt);
      assertThat(again.reason()).isEqualTo(FinishReason.LENGTH);
      assertThat(again.tokens()).as("recomputed on the new rank, not read from a forgotten cache").isEqualTo(first);
    }
  }

  @Test
  void anExecutorThatDoesNotRecoverFailsTheEngineForGood() {
    Restarting ex = new Restarting(false);
    try (LlmEngine e = new LlmEngine(ex, EngineConfig.defaults(), null, new ManualClock(), new SplittableRandom(1))) {
      ex.failNext = true;
      Collector failed = run(e, "a", EngineTest.prompt(1, 5));
      assertThat(failed.reason()).isEqualTo(FinishReason.ERROR);
      Collector later = run(e, "b", EngineTest.prompt(1, 5));
      assertThat(later.reason()).isEqualTo(FinishReason.ERROR);
      assertThat(later.finished.detail()).contains("lost with its node");
    }
  }
}
