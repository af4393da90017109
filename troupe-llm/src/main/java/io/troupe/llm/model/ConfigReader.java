package io.troupe.llm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads (and writes back) the family-dependent parts of a Hugging Face config.json: which family, its
 * defaults, sliding-window layers, soft-caps, RoPE scaling. Everything the engine cannot honour is refused here
 * with what is supported, so a checkpoint never loads with the wrong maths. Stateless.
 */
final class ConfigReader {
  private ConfigReader() {}

  static ModelConfig read(JsonNode n) {
    List<String> architectures = new ArrayList<>();
    n.path("architectures").forEach(a -> architectures.add(a.asText()));
    Family family = Family.of(n.path("model_type").asText("llama"), architectures);
    int hidden = ModelConfig.req(n, "hidden_size");
    int heads = ModelConfig.req(n, "num_attention_heads");
    int layers = ModelConfig.req(n, "num_hidden_layers");
    checkActivation(n, family);
    if (n.path("mlp_bias").asBoolean(false)) {
      throw new IllegalArgumentException("mlp_bias: true is not supported by the built-in engine");
    }
    if (n.hasNonNull("partial_rotary_factor") && n.get("partial_rotary_factor").asDouble() != 1.0) {
      throw new IllegalArgumentException("partial_rotary_factor " + n.get("partial_rotary_factor")
          + " is not supported (the built-in engine rotates whole heads)");
    }
    if (n.path("use_sliding_window").asBoolean(false)) {
      throw new IllegalArgumentException("use_sliding_window: true (Qwen's per-layer window) is not supported; "
          + "sliding windows are supported for mistral, phi3, gemma2 and gemma3_text");
    }
    List<Integer> eos = new ArrayList<>();
    JsonNode e = n.get("eos_token_id");
    if (e != null && e.isArray()) {
      e.forEach(x -> eos.add(x.asInt()));
    } else if (e != null && e.isNumber()) {
      eos.add(e.asInt());
    }
    boolean gemma = family.normPlusOne();
    return new ModelConfig(
        hidden,
        ModelConfig.req(n, "intermediate_size"),
        layers,
        heads,
        n.path("num_key_value_heads").asInt(heads),
        n.hasNonNull("head_dim") ? n.get("head_dim").asInt() : hidden / heads,
        ModelConfig.req(n, "vocab_size"),
        n.path("max_position_embeddings").asInt(2048),
        n.path("rms_norm_eps").asDouble(1e-6),
        n.path("rope_theta").asDouble(gemma && family == Family.GEMMA3 ? 1_000_000.0 : 10000.0),
        ropeScaling(n.get("rope_scaling")),
        n.path("tie_word_embeddings").asBoolean(gemma),
        n.path("attention_bias").asBoolean(family == Family.QWEN2),
        n.path("bos_token_id").asInt(-1),
        eos,
        family.modelType(),
        n.path("torch_dtype").asText(n.path("dtype").asText("float32")),
        arch(n, family, layers));
  }

  private static void checkActivation(JsonNode n, Family family) {
    String act = n.path("hidden_activation").asText(n.path("hidden_act").asText(family.gelu() ? "gelu_pytorch_tanh"
        : "silu"));
    String want = family.gelu() ? "gelu_pytorch_tanh" : "silu";
    if (!act.equals(want) && !(family.gelu() && act.equals("gelu_tanh"))) {
      throw new IllegalArgumentException("hidden activation '" + act + "' is not supported for " + family.modelType()
          + " (the built-in engine implements " + want + ")");
    }
  }

  private static ModelConfig.RopeScaling ropeScaling(JsonNode rs) {
    if (rs == null || rs.isNull()) {
      return null;
    }
    String type = rs.path("rope_type").asText(rs.path("type").asText(""));
    return switch (type) {
      case "default" -> null;
      case "llama3" -> new ModelConfig.RopeScaling(rs.path("factor").asDouble(8.0),
          rs.path("low_freq_factor").asDouble(1.0), rs.path("high_freq_factor").asDouble(4.0),
          rs.path("original_max_position_embeddings").asInt(8192));
      case "linear" -> new ModelConfig.RopeScaling("linear", rs.path("factor").asDouble(1.0), 1.0, 1.0, 0);
      default -> throw new IllegalArgumentException("unsupported rope_scaling type '" + type
          + "' (supported: llama3, linear, none)");
    };
  }

  private static Architecture arch(JsonNode n, Family family, int layers) {
    int window = n.hasNonNull("sliding_window") ? n.get("sliding_window").asInt() : 0;
    List<Boolean> sliding = new ArrayList<>();
    JsonNode types = n.get("layer_types");
    if (types != null && types.isArray()) {
      for (JsonNode t : types) {
        switch (t.asText()) {
          case "sliding_attention" -> sliding.add(true);
          case "full_attention" -> sliding.add(false);
          default -> throw new IllegalArgumentException("unsupported layer type '" + t.asText()
              + "' (supported: sliding_attention, full_attention)");
        }
      }
    } else {
      for (int i = 0; i < layers; i++) {
        sliding.add(switch (family) {
          case MISTRAL, PHI3 -> window > 0;
          case GEMMA2 -> i % 2 == 0;
          case GEMMA3 -> (i + 1) % n.path("sliding_window_pattern").asInt(6) != 0;
          default -> false;
        });
      }
    }
    if (!family.normPlusOne() && family != Family.MISTRAL && family != Family.PHI3 && sliding.contains(true)) {
      throw new IllegalArgumentException("sliding-window layers are not supported for " + family.modelType());
    }
    if (sliding.contains(true) && window == 0) {
      window = family.normPlusOne() ? 4096 : 0;
      if (window == 0) {
        throw new IllegalArgumentException("layer_types has sliding layers but sliding_window is not set");
      }
    }
    if (!sliding.contains(true)) {
      window = 0;
      sliding.clear();
    }
    return switch (family) {
      case GEMMA2 -> new Architecture(family, window, sliding, 0, n.path("query_pre_attn_scalar").asDouble(256),
          n.path("attn_logit_softcapping").asDouble(50.0), n.path("final_logit_softcapping").asDouble(30.0));
      case GEMMA3 -> new Architecture(family, window, sliding, n.path("rope_local_base_freq").asDouble(10000.0),
          n.path("query_pre_attn_scalar").asDouble(256), n.path("attn_logit_softcapping").asDouble(0),
          n.path("final_logit_softcapping").asDouble(0));
      default -> new Architecture(family, window, sliding, 0, 0, 0, 0);
    };
  }

  /** Writes the architecture's keys into a config.json tree (the inverse of {@link #read}). */
  static void writeArch(Architecture a, ObjectNode n) {
    if (a.slidingWindow() > 0) {
      n.put("sliding_window", a.slidingWindow());
      ArrayNode types = n.putArray("layer_types");
      a.slidingLayers().forEach(s -> types.add(s ? "sliding_attention" : "full_attention"));
    } else {
      n.putNull("sliding_window");
    }
    if (a.family().normPlusOne()) {
      n.put("query_pre_attn_scalar", a.queryPreAttnScalar());
      putCap(n, "attn_logit_softcapping", a.attnSoftcap());
      putCap(n, "final_logit_softcapping", a.finalSoftcap());
    }
    if (a.family() == Family.GEMMA3) {
      n.put("rope_local_base_freq", a.localRopeTheta());
    }
  }

  private static void putCap(ObjectNode n, String key, double cap) {
    if (cap > 0) {
      n.put(key, cap);
    } else {
      n.putNull(key);
    }
  }
}
