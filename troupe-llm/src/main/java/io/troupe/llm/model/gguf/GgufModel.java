package io.troupe.llm.model.gguf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.WeightType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A llama.cpp GGUF file seen as a Hugging Face model: the config from its metadata (checked by the same reader
 * as config.json), tensors under their Hugging Face names with the same values a safetensors checkpoint gives
 * (Llama's q/k rows un-permuted back from llama.cpp's interleaved RoPE layout, Gemma's norms back from 1 + w to
 * w), and its tokenizer ({@link GgufTokenizer}). Thread-safe after {@link #open}.
 */
public final class GgufModel implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
  private static final Map<String, String> ARCH_TO_MODEL_TYPE = Map.of("llama", "llama", "qwen2", "qwen2",
      "qwen3", "qwen3", "gemma2", "gemma2", "gemma3", "gemma3_text", "phi3", "phi3");

  private final GgufFile file;
  private final String arch;
  private final ModelConfig config;

  private GgufModel(GgufFile file, String arch, ModelConfig config) {
    this.file = file;
    this.arch = arch;
    this.config = config;
  }

  /** Opens a .gguf file and reads its config. */
  public static GgufModel open(Path path) {
    GgufFile f = GgufFile.open(path);
    try {
      String arch = str(f.metadata(), "general.architecture");
      String modelType = ARCH_TO_MODEL_TYPE.get(arch);
      if (modelType == null) {
        throw new IllegalArgumentException("GGUF architecture '" + arch + "' is not supported by the built-in engine;"
            + " supported: " + String.join(", ", new java.util.TreeSet<>(ARCH_TO_MODEL_TYPE.keySet())));
      }
      if (f.tensors().containsKey("rope_freqs.weight")) {
        throw new IllegalArgumentException("GGUF file " + path + " carries rope_freqs (Llama 3.1-style RoPE "
            + "scaling baked into a tensor), which the built-in engine does not read");
      }
      return new GgufModel(f, arch, ModelConfig.fromJson(configJson(f, arch, modelType)));
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  private static ObjectNode configJson(GgufFile f, String arch, String modelType) {
    Map<String, Object> m = f.metadata();
    ObjectNode n = JSON.createObjectNode();
    n.put("model_type", modelType);
    n.put("hidden_size", num(m, arch + ".embedding_length"));
    n.put("intermediate_size", num(m, arch + ".feed_forward_length"));
    n.put("num_hidden_layers", num(m, arch + ".block_count"));
    long heads = num(m, arch + ".attention.head_count");
    n.put("num_attention_heads", heads);
    n.put("num_key_value_heads", m.get(arch + ".attention.head_count_kv") instanceof Long kv ? (long) kv : heads);
    if (m.get(arch + ".attention.key_length") instanceof Long k) {
      n.put("head_dim", k);
      n.put("query_pre_attn_scalar", k);
    }
    List<?> tokens = m.get("tokenizer.ggml.tokens") instanceof List<?> l ? l : List.of();
    long vocab = m.get(arch + ".vocab_size") instanceof Long v ? (long) v
        : tokens.isEmpty() ? f.tensor("token_embd.weight").rows() : tokens.size();
    n.put("vocab_size", vocab);
    if (m.get(arch + ".context_length") instanceof Long c) {
      n.put("max_position_embeddings", c);
    }
    if (m.get(arch + ".attention.layer_norm_rms_epsilon") instanceof Double e) {
      n.put("rms_norm_eps", e);
    }
    if (m.get(arch + ".rope.freq_base") instanceof Double b) {
      n.put("rope_theta", b);
    }
    if (m.get(arch + ".rope.scaling.type") instanceof String t && !t.equals("none")) {
      n.putObject("rope_scaling").put("rope_type", t).put("factor", (Double) m.get(arch + ".rope.scaling.factor"));
    }
    if (m.get(arch + ".attention.sliding_window") instanceof Long w) {
      n.put("sliding_window", w);
    }
    if (m.get(arch + ".attn_logit_softcapping") instanceof Double c) {
      n.put("attn_logit_softcapping", c);
    }
    if (m.get(arch + ".final_logit_softcapping") instanceof Double c) {
      n.put("final_logit_softcapping", c);
    }
    n.put("tie_word_embeddings", !f.tensors().containsKey("output.weight"));
    n.put("attention_bias", f.tensors().containsKey("blk.0.attn_q.bias"));
    if (m.get("tokenizer.ggml.bos_token_id") instanceof Long b) {
      n.put("bos_token_id", b);
    }
    if (m.get("tokenizer.ggml.eos_token_id") instanceof Long e) {
      n.put("eos_token_id", e);
    }
    n.put("torch_dtype", switch (f.tensor("token_embd.weight").type()) {
      case F32 -> "float32";
      case F16 -> "float16";
      default -> "bfloat16";
    });
    return n;
  }

  public ModelConfig config() {
    return config;
  }

  public GgufFile file() {
    return file;
  }

  /** The tokenizer.json and tokenizer_config.json texts made from the metadata, for {@code Tokenizer.fromJson}. */
  public String[] tokenizerJson() {
    return GgufTokenizer.toJson(file.metadata());
  }

  /** As {@link #tokenizerJson()} for a GGUF file read for its tokenizer alone (no model config needed). */
  public static String[] tokenizerJson(Path gguf) {
    try (GgufFile f = GgufFile.open(gguf)) {
      return GgufTokenizer.toJson(f.metadata());
    }
  }

  /** The ggml name of a Hugging Face tensor name, or null when the file cannot have it. */
  static String ggmlName(String hf) {
    switch (hf) {
      case "model.embed_tokens.weight" -> {
        return "token_embd.weight";
      }
      case "model.norm.weight" -> {
        return "output_norm.weight";
      }
      case "lm_head.weight" -> {
        return "output.weight";
      }
      default -> { }
    }
    Matcher mt = LAYER.matcher(hf);
    if (!mt.matches()) {
      return null;
    }
    String rest = mt.group(2);
    String g = switch (rest) {
      case "input_layernorm.weight" -> "attn_norm.weight";
      case "post_attention_layernorm.weight" -> "ffn_norm.weight";
      case "self_attn.q_proj.weight" -> "attn_q.weight";
      case "self_attn.k_proj.weight" -> "attn_k.weight";
      case "self_attn.v_proj.weight" -> "attn_v.weight";
      case "self_attn.q_proj.bias" -> "attn_q.bias";
      case "self_attn.k_proj.bias" -> "attn_k.bias";
      case "self_attn.v_proj.bias" -> "attn_v.bias";
      case "self_attn.o_proj.weight" -> "attn_output.weight";
      case "self_attn.qkv_proj.weight" -> "attn_qkv.weight";
      case "self_attn.q_norm.weight" -> "attn_q_norm.weight";
      case "self_attn.k_norm.weight" -> "attn_k_norm.weight";
      case "mlp.gate_proj.weight" -> "ffn_gate.weight";
      case "mlp.up_proj.weight", "mlp.gate_up_proj.weight" -> "ffn_up.weight";
      case "mlp.down_proj.weight" -> "ffn_down.weight";
      default -> null;
    };
    return g == null ? null : "blk." + mt.group(1) + "." + g;
  }

  /** Gemma's layer norms are named differently around the attention and the MLP. */
  private String name(String hf) {
    if (isGemma()) {
      Matcher mt = LAYER.matcher(hf);
      if (mt.matches()) {
        String l = "blk." + mt.group(1) + ".";
        switch (mt.group(2)) {
          case "post_attention_layernorm.weight" -> {
            return l + "post_attention_norm.weight";
          }
          case "pre_feedforward_layernorm.weight" -> {
            return l + "ffn_norm.weight";
          }
          case "post_feedforward_layernorm.weight" -> {
            return l + "post_ffw_norm.weight";
          }
          default -> { }
        }
      }
    }
    String g = ggmlName(hf);
    if (g == null || !file.tensors().containsKey(g)) {
      throw new IllegalArgumentException("GGUF file " + file.path() + " has no tensor for " + hf
          + (g == null ? "" : " (" + g + ")"));
    }
    return g;
  }

  private boolean isGemma() {
    return arch.startsWith("gemma");
  }

  public boolean has(String hf) {
    try {
      name(hf);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The Hugging Face shape {@code [rows, cols]} (or {@code [n]}). */
  public long[] shape(String hf) {
    return file.tensor(name(hf)).shape();
  }

  /** How {@code dtype: auto} holds this tensor: float types as they are, quantized ones as int8. */
  public WeightType stored(String hf) {
    return switch (file.tensor(name(hf)).type()) {
      case F32 -> WeightType.FLOAT32;
      case F16 -> WeightType.FLOAT16;
      case BF16 -> WeightType.BFLOAT16;
      case Q8_0, Q4_K, Q6_K -> WeightType.INT8;
    };
  }

  public float[] read(String hf) {
    GgufFile.Tensor t = file.tensor(name(hf));
    return readRows(hf, 0, (int) (t.dims().length == 1 ? t.cols() : t.rows()));
  }

  /** Rows of the Hugging Face view: q/k un-permuted (Llama), norms back to w (Gemma). */
  public float[] readRows(String hf, int start, int count) {
    String g = name(hf);
    GgufFile.Tensor t = file.tensor(g);
    if (t.dims().length == 1) { // a vector: its "rows" are single elements
      float[] all = file.readRows(g, 0, 1);
      float[] part = java.util.Arrays.copyOfRange(all, start, start + count);
      if (isGemma() && g.endsWith("norm.weight")) {
        for (int i = 0; i < part.length; i++) {
          part[i] -= 1f;
        }
      }
      return part;
    }
    float[] rows = file.readRows(g, start, count);
    if (arch.equals("llama") && (g.endsWith("attn_q.weight") || g.endsWith("attn_k.weight"))) {
      int heads = (int) (long) (Long) file.metadata().get(arch + (g.endsWith("attn_q.weight")
          ? ".attention.head_count" : ".attention.head_count_kv"));
      int hd = (int) (file.tensor(g).rows() / heads);
      unpermute(rows, start, count, hd, (int) file.tensor(g).cols());
    }
    if (isGemma() && g.endsWith("norm.weight")) {
      for (int i = 0; i < rows.length; i++) {
        rows[i] -= 1f;
      }
    }
    return rows;
  }

  /** Columns {@code [start, start+count)} of a 2-D tensor, {@code rows x count}. */
  public float[] readColumns(String hf, int start, int count) {
    long[] shape = shape(hf);
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    float[] all = readRows(hf, 0, rows);
    float[] out = new float[rows * count];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(all, r * cols + start, out, r * count, count);
    }
    return out;
  }

  /**
   * llama.cpp stores Llama's q/k rows of each head interleaved (row 2i+j of a head is Hugging Face's row j*hd/2+i);
   * reorders whole heads back. The range must cover whole heads (tensor-parallel slices do).
   */
  private static void unpermute(float[] rows, int start, int count, int hd, int cols) {
    if (start % hd != 0 || count % hd != 0) {
      throw new IllegalArgumentException("q/k rows [" + start + "," + (start + count) + ") do not cover whole heads");
    }
    int half = hd / 2;
    float[] head = new float[hd * cols];
    for (int h = 0; h < count / hd; h++) {
      int base = h * hd * cols;
      System.arraycopy(rows, base, head, 0, hd * cols);
      for (int r = 0; r < hd; r++) {
        int g = 2 * (r % half) + r / half;
        System.arraycopy(head, g * cols, rows, base + r * cols, cols);
      }
    }
  }

  @Override
  public void close() {
    file.close();
  }

  static String str(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof String s)) {
      throw new IllegalArgumentException("GGUF metadata lacks string " + key);
    }
    return s;
  }

  static long num(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof Long v)) {
      throw new IllegalArgumentException("GGUF metadata lacks integer " + key);
    }
    return v;
  }
}
