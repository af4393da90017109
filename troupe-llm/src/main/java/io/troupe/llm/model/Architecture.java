package io.troupe.llm.model;

import java.util.List;
import java.util.Objects;

/**
 * The family-specific hyper-parameters of a model (beyond the shapes in {@link ModelConfig}). Immutable.
 *
 * @param family             the model family ({@code model_type})
 * @param slidingWindow      attention window of sliding layers in tokens (a query at position q sees keys at
 *                           positions k with q - k < window); 0 when no layer slides
 * @param slidingLayers      per layer whether it uses the sliding window (empty when none does)
 * @param localRopeTheta     RoPE base of sliding layers (Gemma 3's {@code rope_local_base_freq}); 0: the global one
 * @param queryPreAttnScalar attention scores are scaled by {@code 1/sqrt(this)} (Gemma); 0: by {@code 1/sqrt(head_dim)}
 * @param attnSoftcap        attention logits become {@code cap * tanh(s / cap)} (Gemma 2); 0: none
 * @param finalSoftcap       final logits become {@code cap * tanh(l / cap)} (Gemma 2); 0: none
 */
public record Architecture(
    Family family,
    int slidingWindow,
    List<Boolean> slidingLayers,
    double localRopeTheta,
    double queryPreAttnScalar,
    double attnSoftcap,
    double finalSoftcap) {

  public Architecture {
    Objects.requireNonNull(family, "family");
    slidingLayers = List.copyOf(slidingLayers);
    if (slidingWindow < 0 || queryPreAttnScalar < 0 || attnSoftcap < 0 || finalSoftcap < 0 || localRopeTheta < 0) {
      throw new IllegalArgumentException("sliding_window, query_pre_attn_scalar, soft-caps and rope bases must not "
          + "be negative");
    }
    if (slidingWindow == 0 && slidingLayers.contains(true)) {
      throw new IllegalArgumentException("sliding layers need a sliding_window");
    }
  }

  /** Plain attention: no window, no caps, default scale. */
  public static Architecture plain(Family family) {
    return new Architecture(family, 0, List.of(), 0, 0, 0, 0);
  }

  /** Whether layer {@code i} attends through the sliding window. */
  public boolean sliding(int layer) {
    return slidingWindow > 0 && layer < slidingLayers.size() && slidingLayers.get(layer);
  }
}
