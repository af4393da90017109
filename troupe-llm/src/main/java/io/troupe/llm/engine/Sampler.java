package io.troupe.llm.engine;

import io.troupe.llm.api.SamplingParams;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from logits: argmax for greedy, else temperature, top-k, then top-p (nucleus)
 * over the softmax, drawing one uniform number from the sequence's own generator. Stateless.
 */
public final class Sampler {
  private Sampler() {}

  public static int sample(float[] logits, SamplingParams p, RandomGenerator rng) {
    if (p.isGreedy()) {
      return argmax(logits);
    }
    int n = logits.length;
    // sort indices by logit, descending, ties by lower index: pack (sortable value, index) into longs
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToIntBits(logits[i]);
      int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff;
      keys[i] = ((long) ~sortable << 32) | (i & 0xffffffffL);
    }
    Arrays.sort(keys);
    int k = p.topK() > 0 ? Math.min(p.topK(), n) : n;
    double max = logits[(int) keys[0]];
    double[] probs = new double[k];
    double total = 0;
    for (int j = 0; j < k; j++) {
      probs[j] = Math.exp((logits[(int) keys[j]] - max) / p.temperature());
      total += probs[j];
    }
    int keep = k;
    if (p.topP() < 1.0) {
      double cum = 0;
      for (int j = 0; j < k; j++) {
        cum += probs[j] / total;
        if (cum >= p.topP()) {
          keep = j + 1;
          break;
        }
      }
    }
    double kept = 0;
    for (int j = 0; j < keep; j++) {
      kept += probs[j];
    }
    double r = rng.nextDouble() * kept;
    for (int j = 0; j < keep; j++) {
      r -= probs[j];
      if (r < 0) {
        return (int) keys[j];
      }
    }
    return (int) keys[keep - 1];
  }

  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
