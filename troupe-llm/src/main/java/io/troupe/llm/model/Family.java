package io.troupe.llm.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The decoder-only model families the built-in engine runs, by Hugging Face {@code model_type} and
 * {@code architectures}. Each constant states how its maths differs from Llama; {@link ShardForward} is shared and
 * reads these facts. A config of any other type is refused by {@link #of} naming the supported ones.
 */
public enum Family {
  /** Llama 2/3, TinyLlama, SmolLM...: RMSNorm, SwiGLU, RoPE (optionally llama3-scaled), GQA. */
  LLAMA("llama", "LlamaForCausalLM"),
  /** Mistral: Llama maths with sliding-window attention on every layer when {@code sliding_window} is set. */
  MISTRAL("mistral", "MistralForCausalLM"),
  /** Qwen2/2.5: Llama maths with q/k/v biases. */
  QWEN2("qwen2", "Qwen2ForCausalLM"),
  /** Qwen3 dense: Llama maths with an RMSNorm over each query and key head before RoPE (q_norm, k_norm). */
  QWEN3("qwen3", "Qwen3ForCausalLM"),
  /**
   * Gemma 2: embeddings scaled by sqrt(hidden), RMSNorm weights used as (1 + w), GeGLU (tanh GELU), a norm after
   * attention and before and after the MLP, attention logits and final logits soft-capped, attention scaled by
   * query_pre_attn_scalar, sliding-window attention on every other layer (the even ones).
   */
  GEMMA2("gemma2", "Gemma2ForCausalLM"),
  /**
   * Gemma 3 (text): Gemma 2's layout without soft-capping, with q/k norms, five sliding-window layers for each
   * global one, and a separate RoPE base ({@code rope_local_base_freq}) on the sliding layers.
   */
  GEMMA3("gemma3_text", "Gemma3ForCausalLM"),
  /** Phi-3: Llama maths with fused {@code qkv_proj} and {@code gate_up_proj}, optional sliding window. */
  PHI3("phi3", "Phi3ForCausalLM");

  private final String modelType;
  private final String architecture;

  Family(String modelType, String architecture) {
    this.modelType = modelType;
    this.architecture = architecture;
  }

  /** The {@code model_type} of config.json. */
  public String modelType() {
    return modelType;
  }

  /** The {@code architectures[0]} of config.json. */
  public String architecture() {
    return architecture;
  }

  /** RMSNorm weights are stored as an offset from one ({@code x * (1 + w)}). */
  public boolean normPlusOne() {
    return this == GEMMA2 || this == GEMMA3;
  }

  /** Input embeddings are multiplied by {@code sqrt(hidden_size)}. */
  public boolean scalesEmbedding() {
    return normPlusOne();
  }

  /** The MLP is GeGLU (tanh GELU) instead of SwiGLU. */
  public boolean gelu() {
    return normPlusOne();
  }

  /** Norms after attention and before/after the MLP (Gemma's four norms per layer). */
  public boolean sandwichNorms() {
    return normPlusOne();
  }

  /** An RMSNorm over each query and key head before RoPE. */
  public boolean qkNorm() {
    return this == QWEN3 || this == GEMMA3;
  }

  /** q/k/v in one {@code qkv_proj}, gate and up in one {@code gate_up_proj}. */
  public boolean fusedProjections() {
    return this == PHI3;
  }

  /**
   * The family of a config.json's {@code model_type} (and {@code architectures[0]}, when given).
   *
   * @throws IllegalArgumentException naming the supported families when the type is not one of them
   */
  public static Family of(String modelType, List<String> architectures) {
    for (Family f : values()) {
      if (f.modelType.equals(modelType)) {
        if (!architectures.isEmpty() && !architectures.get(0).equals(f.architecture)) {
          throw new IllegalArgumentException("config.json architectures " + architectures + " is not supported for "
              + "model_type '" + modelType + "': the built-in engine runs causal language models ("
              + f.architecture + ")");
        }
        return f;
      }
    }
    String hint = modelType.equals("gemma3")
        ? " (a multimodal Gemma 3 checkpoint: use its text-only form, model_type 'gemma3_text', e.g. gemma-3-1b)"
        : "";
    throw new IllegalArgumentException("model_type '" + modelType + "' is not supported by the built-in engine"
        + hint + "; supported: " + supported());
  }

  /** "llama (LlamaForCausalLM), mistral (...), ..." for error messages and docs. */
  public static String supported() {
    return Arrays.stream(values()).map(f -> f.modelType + " (" + f.architecture + ")")
        .collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
