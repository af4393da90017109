package io.troupe.llm.model;

/**
 * Hugging Face tensor names of the supported families (Llama naming; Gemma adds
 * {@code pre/post_feedforward_layernorm}, Qwen3 and Gemma 3 {@code self_attn.q_norm/k_norm}, Phi-3 fuses
 * {@code self_attn.qkv_proj} and {@code mlp.gate_up_proj}). Stateless.
 */
public final class LlamaTensorNames {
  private LlamaTensorNames() {}

  public static final String EMBED = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  public static String layer(int i, String suffix) {
    return "model.layers." + i + "." + suffix;
  }

  public static String inputNorm(int i) {
    return layer(i, "input_layernorm.weight");
  }

  public static String postNorm(int i) {
    return layer(i, "post_attention_layernorm.weight");
  }

  /** Gemma: the norm before the MLP (Llama's post_attention_layernorm plays this part there). */
  public static String preFeedforwardNorm(int i) {
    return layer(i, "pre_feedforward_layernorm.weight");
  }

  /** Gemma: the norm of the MLP's output. */
  public static String postFeedforwardNorm(int i) {
    return layer(i, "post_feedforward_layernorm.weight");
  }

  /** Qwen3/Gemma 3: {@code which} is q_norm or k_norm, a [head_dim] RMSNorm weight shared by all heads. */
  public static String qkNorm(int i, String which) {
    return layer(i, "self_attn." + which + ".weight");
  }

  /** {@code proj} is one of q_proj, k_proj, v_proj, o_proj (Phi-3: qkv_proj, o_proj). */
  public static String attn(int i, String proj, String kind) {
    return layer(i, "self_attn." + proj + "." + kind);
  }

  /** {@code proj} is one of gate_proj, up_proj, down_proj (Phi-3: gate_up_proj, down_proj). */
  public static String mlp(int i, String proj) {
    return layer(i, "mlp." + proj + ".weight");
  }
}
