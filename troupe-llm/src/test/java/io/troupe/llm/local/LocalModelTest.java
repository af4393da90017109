package io.troupe.llm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.parallel.RankOptions;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening a model folder: one rank or in-process ranks, generation through its engine, a clear error without one. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalModelTest {
  @TempDir
  Path dir;

  @Test
  void opensOneRankAndTwoInProcessRanksThatGenerateAlike() throws Exception {
    RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), dir);
    int[] one;
    try (LocalModel m = LocalModel.open(dir, RankOptions.defaults())) {
      assertThat(m.dir()).isEqualTo(dir);
      assertThat(m.executor().config().maxPositions()).isPositive();
      one = generate(m);
    }
    try (LocalModel m = LocalModel.open(dir, 2, 1, RankOptions.defaults(), LocalModel.IN_PROCESS)) {
      assertThat(generate(m)).containsExactly(one); // greedy: tensor parallelism does not change the tokens
    }
  }

  @Test
  void aFolderWithoutAModelIsRefusedWithWhatToDo() {
    assertThatThrownBy(() -> LocalModel.open(dir, RankOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no model in " + dir)
        .hasMessageContaining("config.json missing").hasMessageContaining("troupe llm write-model");
  }

  private static int[] generate(LocalModel m) throws Exception {
    int[] prompt = m.tokenizer().encode("hello there", true);
    CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
    LlmEngine engine = m.startEngine(EngineConfig.defaults(), InstantSource.system(), new SplittableRandom(1));
    engine.submit(new GenerationRequest("t", prompt, SamplingParams.builder().maxTokens(4).temperature(0).build()),
        e -> {
          if (e instanceof GenerationEvent.Finished f) {
            done.complete(f);
          }
        });
    return done.get(60, TimeUnit.SECONDS).outputTokens(); // closing the model closes its engine

  }
}
