package io.troupe.llm.model;

/** Hugging Face tensor names of the Llama family. Stateless. */
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

  /** {@code proj} is one of q_proj, k_proj, v_proj, o_proj. */
  public static String attn(int i, String proj, String kind) {
    return layer(i, "self_attn." + proj + "." + kind);
  }

  /** {@code proj} is one of gate_proj, up_proj, down_proj. */
  public static String mlp(int i, String proj) {
    return layer(i, "mlp." + proj + ".weight");
  }
}
