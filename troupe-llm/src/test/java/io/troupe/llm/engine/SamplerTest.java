package io.troupe.llm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.api.SamplingParams;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SamplerTest {
  final float[] logits = {0.1f, 3f, 2.9f, -1f, 2.95f};

  @Test
  void greedyTakesArgmax() {
    assertThat(Sampler.sample(logits, SamplingParams.greedy(1), new SplittableRandom(1))).isEqualTo(1);
  }

  @Test
  void topKAndTopPRestrictTheCandidates() {
    SamplingParams k2 = SamplingParams.builder().temperature(1).topK(2).build();
    SamplingParams p = SamplingParams.builder().temperature(1).topP(0.5).build();
    Set<Integer> seenK = new HashSet<>();
    Set<Integer> seenP = new HashSet<>();
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 500; i++) {
      seenK.add(Sampler.sample(logits, k2, r));
      seenP.add(Sampler.sample(logits, p, r));
    }
    assertThat(seenK).containsExactlyInAnyOrder(1, 4);
    assertThat(seenP).containsExactlyInAnyOrder(1, 4); // 1 alone is < 0.5, 1 and 4 reach it
  }

  @Test
  void sameSeedSameDraws() {
    SamplingParams t = SamplingParams.builder().temperature(2).build();
    SplittableRandom a = new SplittableRandom(9);
    SplittableRandom b = new SplittableRandom(9);
    for (int i = 0; i < 50; i++) {
      assertThat(Sampler.sample(logits, t, a)).isEqualTo(Sampler.sample(logits, t, b));
    }
  }
}
