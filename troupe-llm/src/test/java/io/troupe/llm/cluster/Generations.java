package io.troupe.llm.cluster;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.spi.ModelExecutor;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/** Greedy generation of a few fixed prompts, for comparing executors. */
final class Generations {
  private Generations() {}

  static RankOptions rankOptions() {
    return RankOptions.defaults().withBlockSize(4).withKvCacheBytes(1 << 20);
  }

  static LlmEngine engine(ModelExecutor ex) {
    return new LlmEngine(ex, EngineConfig.defaults().withMaxBatchTokens(12).withMicroBatches(2), null,
        InstantSource.system(), new SplittableRandom(1));
  }

  /** Two prompts (4 and 10 tokens), 6 greedy tokens each; fails unless both finish by length. */
  static List<List<Integer>> greedy(ModelExecutor ex) {
    try (LlmEngine e = engine(ex)) {
      return greedy(e);
    }
  }

  /** The same on an engine that stays open (it must be idle). */
  static List<List<Integer>> greedy(LlmEngine e) {
    int n = 2;
    var finished = new ConcurrentHashMap<String, GenerationEvent.Finished>();
    for (int i = 0; i < n; i++) {
      int[] p = new int[4 + 6 * i];
      for (int j = 0; j < p.length; j++) {
        p[j] = 1 + (j * 37 + i * 11) % 500;
      }
      e.submit(new GenerationRequest("r" + i, p, SamplingParams.builder().maxTokens(6).ignoreEos(true).build()),
          ev -> {
            if (ev instanceof GenerationEvent.Finished f) {
              finished.put(f.requestId(), f);
            }
          });
    }
    e.runUntilIdle();
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var f = finished.get("r" + i);
      if (f == null || f.reason() != FinishReason.LENGTH) {
        throw new AssertionError("request r" + i + " did not finish by length: "
            + (f == null ? "no finish event" : f.reason() + " " + f.detail()));
      }
      List<Integer> toks = new ArrayList<>();
      for (int t : f.outputTokens()) {
        toks.add(t);
      }
      out.add(toks);
    }
    return out;
  }
}
