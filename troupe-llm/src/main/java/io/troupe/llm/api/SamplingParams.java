package io.troupe.llm.api;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How to pick tokens and when to stop. Build with {@link #builder()}; defaults: greedy (temperature 0),
 * top-k off (0), top-p 1.0, no seed (engine randomness), 16 max tokens, no stop strings or ids, and the
 * model's EOS ids stop generation unless {@code ignoreEos}.
 *
 * @param seed same seed, same prompt, same params → same output, whatever else runs in the batch
 */
public record SamplingParams(double temperature, int topK, double topP, OptionalLong seed, int maxTokens,
                             List<String> stopStrings, Set<Integer> stopTokenIds, boolean ignoreEos) {
  public SamplingParams {
    if (temperature < 0 || topK < 0 || topP <= 0 || topP > 1 || maxTokens < 1) {
      throw new IllegalArgumentException("bad sampling params: temperature >= 0, top_k >= 0, 0 < top_p <= 1, "
          + "max_tokens >= 1");
    }
    stopStrings = List.copyOf(stopStrings);
    stopTokenIds = Set.copyOf(stopTokenIds);
  }

  public static SamplingParams greedy(int maxTokens) {
    return builder().maxTokens(maxTokens).build();
  }

  public boolean isGreedy() {
    return temperature == 0 || topK == 1;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the documented defaults. */
  public static final class Builder {
    private double temperature = 0;
    private int topK = 0;
    private double topP = 1.0;
    private OptionalLong seed = OptionalLong.empty();
    private int maxTokens = 16;
    private List<String> stopStrings = List.of();
    private Set<Integer> stopTokenIds = Set.of();
    private boolean ignoreEos;

    public Builder temperature(double t) {
      temperature = t;
      return this;
    }

    public Builder topK(int k) {
      topK = k;
      return this;
    }

    public Builder topP(double p) {
      topP = p;
      return this;
    }

    public Builder seed(long s) {
      seed = OptionalLong.of(s);
      return this;
    }

    public Builder maxTokens(int n) {
      maxTokens = n;
      return this;
    }

    public Builder stopStrings(List<String> s) {
      stopStrings = s;
      return this;
    }

    public Builder stopTokenIds(Set<Integer> ids) {
      stopTokenIds = ids;
      return this;
    }

    public Builder ignoreEos(boolean b) {
      ignoreEos = b;
      return this;
    }

    public SamplingParams build() {
      return new SamplingParams(temperature, topK, topP, seed, maxTokens, stopStrings, stopTokenIds, ignoreEos);
    }
  }
}
