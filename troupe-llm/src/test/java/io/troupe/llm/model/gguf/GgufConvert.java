package io.troupe.llm.model.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.model.Family;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-side converter from a Hugging Face folder to GGUF, doing what llama.cpp's convert_hf_to_gguf does for these
 * families: ggml tensor names, Llama's q/k rows permuted to the interleaved RoPE layout, Gemma's norms stored as
 * 1 + w, metadata under {@code <arch>.*}, the tokenizer as {@code tokenizer.ggml.*} and the chat template.
 * Matrices are written as {@code matrices}, the output head as {@code output}, vectors as F32.
 */
public final class GgufConvert {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GgufConvert() {}

  public static Path convert(Path hfDir, Path out, GgufType matrices, GgufType output) throws IOException {
    try (ModelFolder f = ModelFolder.open(hfDir)) {
      ModelConfig c = f.config();
      Family fam = c.family();
      String arch = switch (fam) {
        case LLAMA -> "llama";
        case QWEN2 -> "qwen2";
        case QWEN3 -> "qwen3";
        case GEMMA2 -> "gemma2";
        case GEMMA3 -> "gemma3";
        case PHI3 -> "phi3";
        default -> throw new IllegalArgumentException("no GGUF conversion for " + fam);
      };
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("general.architecture", arch);
      meta.put("general.alignment", 32);
      meta.put(arch + ".embedding_length", (long) c.hiddenSize());
      meta.put(arch + ".feed_forward_length", (long) c.intermediateSize());
      meta.put(arch + ".block_count", (long) c.numLayers());
      meta.put(arch + ".attention.head_count", (long) c.numHeads());
      meta.put(arch + ".attention.head_count_kv", (long) c.numKvHeads());
      meta.put(arch + ".attention.key_length", (long) c.headDim());
      meta.put(arch + ".context_length", (long) c.maxPositions());
      meta.put(arch + ".attention.layer_norm_rms_epsilon", c.rmsNormEps());
      meta.put(arch + ".rope.freq_base", c.ropeTheta());
      if (c.ropeScaling() != null) {
        meta.put(arch + ".rope.scaling.type", c.ropeScaling().type());
        meta.put(arch + ".rope.scaling.factor", c.ropeScaling().factor());
      }
      if (c.arch().slidingWindow() > 0) {
        meta.put(arch + ".attention.sliding_window", (long) c.arch().slidingWindow());
      }
      if (c.arch().attnSoftcap() > 0) {
        meta.put(arch + ".attn_logit_softcapping", c.arch().attnSoftcap());
        meta.put(arch + ".final_logit_softcapping", c.arch().finalSoftcap());
      }
      tokenizer(hfDir, meta, c.bosTokenId());
      List<GgufWriter.Entry> tensors = new ArrayList<>();
      boolean gemma = fam.normPlusOne();
      tensors.add(entry(f, "model.embed_tokens.weight", "token_embd.weight", matrices, false, c));
      for (int i = 0; i < c.numLayers(); i++) {
        String hf = "model.layers." + i + ".";
        String g = "blk." + i + ".";
        tensors.add(entry(f, hf + "input_layernorm.weight", g + "attn_norm.weight", GgufType.F32, gemma, c));
        tensors.add(entry(f, hf + "post_attention_layernorm.weight",
            g + (gemma ? "post_attention_norm.weight" : "ffn_norm.weight"), GgufType.F32, gemma, c));
        if (gemma) {
          tensors.add(entry(f, hf + "pre_feedforward_layernorm.weight", g + "ffn_norm.weight", GgufType.F32, true, c));
          tensors.add(entry(f, hf + "post_feedforward_layernorm.weight", g + "post_ffw_norm.weight", GgufType.F32,
              true, c));
        }
        if (fam.qkNorm()) {
          tensors.add(entry(f, hf + "self_attn.q_norm.weight", g + "attn_q_norm.weight", GgufType.F32, gemma, c));
          tensors.add(entry(f, hf + "self_attn.k_norm.weight", g + "attn_k_norm.weight", GgufType.F32, gemma, c));
        }
        if (fam.fusedProjections()) {
          tensors.add(entry(f, hf + "self_attn.qkv_proj.weight", g + "attn_qkv.weight", matrices, false, c));
          tensors.add(entry(f, hf + "mlp.gate_up_proj.weight", g + "ffn_up.weight", matrices, false, c));
        } else {
          tensors.add(entry(f, hf + "self_attn.q_proj.weight", g + "attn_q.weight", matrices, false, c));
          tensors.add(entry(f, hf + "self_attn.k_proj.weight", g + "attn_k.weight", matrices, false, c));
          tensors.add(entry(f, hf + "self_attn.v_proj.weight", g + "attn_v.weight", matrices, false, c));
          tensors.add(entry(f, hf + "mlp.gate_proj.weight", g + "ffn_gate.weight", matrices, false, c));
          tensors.add(entry(f, hf + "mlp.up_proj.weight", g + "ffn_up.weight", matrices, false, c));
        }
        if (c.attentionBias()) {
          for (String p : List.of("q", "k", "v")) {
            tensors.add(entry(f, hf + "self_attn." + p + "_proj.bias", g + "attn_" + p + ".bias", GgufType.F32, false,
                c));
          }
        }
        tensors.add(entry(f, hf + "self_attn.o_proj.weight", g + "attn_output.weight", matrices, false, c));
        tensors.add(entry(f, hf + "mlp.down_proj.weight", g + "ffn_down.weight", matrices, false, c));
      }
      tensors.add(entry(f, "model.norm.weight", "output_norm.weight", GgufType.F32, gemma, c));
      if (f.has("lm_head.weight")) {
        tensors.add(entry(f, "lm_head.weight", "output.weight", output, false, c));
      }
      GgufWriter.write(out, meta, tensors);
      return out;
    }
  }

  private static GgufWriter.Entry entry(ModelFolder f, String hf, String g, GgufType type, boolean plusOne,
                                        ModelConfig c) {
    long[] shape = f.shape(hf);
    float[] v = f.read(hf);
    if (plusOne) {
      for (int i = 0; i < v.length; i++) {
        v[i] += 1f;
      }
    }
    if (c.family() == Family.LLAMA && (g.endsWith("attn_q.weight") || g.endsWith("attn_k.weight"))) {
      v = permute(v, (int) shape[0], (int) shape[1], g.endsWith("attn_q.weight") ? c.numHeads() : c.numKvHeads());
    }
    GgufType t = shape.length == 1 || shape[shape.length - 1] % type.blockSize() != 0 ? GgufType.F32 : type;
    return new GgufWriter.Entry(g, shape, v, t);
  }

  /** llama.cpp's permute: within each head, Hugging Face row j*hd/2+i goes to row 2i+j. */
  static float[] permute(float[] w, int rows, int cols, int heads) {
    int hd = rows / heads;
    int half = hd / 2;
    float[] out = new float[w.length];
    for (int h = 0; h < heads; h++) {
      for (int j = 0; j < 2; j++) {
        for (int i = 0; i < half; i++) {
          System.arraycopy(w, (h * hd + j * half + i) * cols, out, (h * hd + 2 * i + j) * cols, cols);
        }
      }
    }
    return out;
  }

  /** tokenizer.ggml.* from a byte-level tokenizer.json ("gpt2") or a SentencePiece-style one ("llama"). */
  static void tokenizer(Path dir, Map<String, Object> meta, int bos) throws IOException {
    JsonNode tj = JSON.readTree(dir.resolve("tokenizer.json").toFile());
    JsonNode cfg = Files.exists(dir.resolve("tokenizer_config.json"))
        ? JSON.readTree(dir.resolve("tokenizer_config.json").toFile()) : JSON.createObjectNode();
    putTokenizer(tj, cfg, meta, tj.path("model").path("byte_fallback").asBoolean(false) ? null : "llama-bpe");
  }

  /**
   * Fills tokenizer metadata from tokenizer.json / tokenizer_config.json trees; {@code pre} is the ggml pre-tokenizer
   * name for byte-level vocabularies, null for SentencePiece ones (scores are then made from the merge ranks, as a
   * SentencePiece model's scores order its merges: a piece's score is minus the rank of the first merge making it).
   */
  public static void putTokenizer(JsonNode tj, JsonNode cfg, Map<String, Object> meta, String pre) {
    Map<Integer, String> byId = new java.util.TreeMap<>();
    tj.path("model").path("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
    Map<Integer, Integer> types = new java.util.HashMap<>();
    for (JsonNode a : tj.path("added_tokens")) {
      byId.put(a.path("id").asInt(), a.path("content").asText());
      types.put(a.path("id").asInt(), a.path("special").asBoolean() ? 3 : 4);
    }
    int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    Map<String, Integer> firstMerge = new java.util.HashMap<>();
    int rank = 0;
    for (JsonNode m : tj.path("model").path("merges")) {
      String piece = m.isArray() ? m.get(0).asText() + m.get(1).asText() : m.asText().replaceFirst(" ", "");
      firstMerge.putIfAbsent(piece, rank++);
    }
    List<String> tokens = new ArrayList<>();
    List<Integer> tt = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String t = byId.getOrDefault(i, "[PAD" + i + "]");
      tokens.add(t);
      boolean isByte = t.length() == 6 && t.startsWith("<0x") && t.endsWith(">");
      int type = types.getOrDefault(i, byId.containsKey(i) ? (isByte && pre == null ? 6 : 1) : 5);
      tt.add(type);
      scores.add(type == 1 && firstMerge.containsKey(t) ? (double) -firstMerge.get(t) : 0.0);
    }
    meta.put("tokenizer.ggml.model", pre == null ? "llama" : "gpt2");
    meta.put("tokenizer.ggml.tokens", tokens);
    meta.put("tokenizer.ggml.token_type", tt);
    if (pre == null) {
      meta.put("tokenizer.ggml.scores", scores);
      String unk = tj.path("model").path("unk_token").asText(null);
      if (unk != null) {
        meta.put("tokenizer.ggml.unknown_token_id", (long) tokens.indexOf(unk));
      }
    } else {
      meta.put("tokenizer.ggml.pre", pre);
      List<String> merges = new ArrayList<>();
      for (JsonNode m : tj.path("model").path("merges")) {
        merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
      }
      meta.put("tokenizer.ggml.merges", merges);
    }
    String bosTok = token(cfg.get("bos_token"));
    String eosTok = token(cfg.get("eos_token"));
    if (bosTok != null) {
      meta.put("tokenizer.ggml.bos_token_id", (long) tokens.indexOf(bosTok));
    }
    if (eosTok != null) {
      meta.put("tokenizer.ggml.eos_token_id", (long) tokens.indexOf(eosTok));
    }
    boolean templateBos = tj.path("post_processor").toString().contains("SpecialToken");
    meta.put("tokenizer.ggml.add_bos_token", cfg.has("add_bos_token") ? cfg.get("add_bos_token").asBoolean()
        : templateBos);
    if (cfg.path("chat_template").isTextual()) {
      meta.put("tokenizer.chat_template", cfg.get("chat_template").asText());
    }
  }

  private static String token(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return n.isTextual() ? n.asText() : n.path("content").asText(null);
  }
}
