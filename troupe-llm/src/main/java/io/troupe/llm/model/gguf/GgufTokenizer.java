package io.troupe.llm.model.gguf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a GGUF file's {@code tokenizer.ggml.*} metadata into the {@code tokenizer.json} and
 * {@code tokenizer_config.json} a Hugging Face checkpoint would carry, so one loader serves both:
 * {@code gpt2} vocabularies become byte-level BPE with the pre-tokenizer named by {@code tokenizer.ggml.pre}
 * (gpt2/default, llama-bpe/llama3, qwen2), {@code llama} (SentencePiece) vocabularies become BPE with byte
 * fallback whose merges are derived from the piece scores the way transformers converts a SentencePiece model.
 * CONTROL tokens become special added tokens, USER_DEFINED ones plain added tokens. Stateless.
 */
final class GgufTokenizer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?"
      + "[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  private static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?"
      + "[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  private static final int CONTROL = 3;
  private static final int USER_DEFINED = 4;

  private GgufTokenizer() {}

  /** {tokenizer.json, tokenizer_config.json}. */
  static String[] toJson(Map<String, Object> m) {
    String model = GgufModel.str(m, "tokenizer.ggml.model");
    List<?> tokens = list(m, "tokenizer.ggml.tokens");
    List<?> types = m.get("tokenizer.ggml.token_type") instanceof List<?> l ? l : List.of();
    ObjectNode root = JSON.createObjectNode();
    ObjectNode bpe = root.putObject("model");
    bpe.put("type", "BPE");
    ObjectNode vocab = bpe.putObject("vocab");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < tokens.size(); i++) {
      String t = (String) tokens.get(i);
      int type = i < types.size() ? (int) (long) (Long) types.get(i) : 1;
      if (type == CONTROL || type == USER_DEFINED) {
        added.addObject().put("id", i).put("content", t).put("special", type == CONTROL)
            .put("lstrip", false).put("rstrip", false).put("normalized", false).put("single_word", false);
      }
      if (!vocab.has(t)) {
        vocab.put(t, i);
      }
    }
    switch (model) {
      case "gpt2" -> {
        ArrayNode merges = bpe.putArray("merges");
        list(m, "tokenizer.ggml.merges").forEach(x -> merges.add((String) x));
        bpe.put("byte_fallback", false);
        String pre = m.get("tokenizer.ggml.pre") instanceof String p ? p : "default";
        // Llama 3's tokenizer looks a whole pre-token up before merging (llama.cpp does so for this pre-tokenizer)
        bpe.put("ignore_merges", pre.equals("llama-bpe") || pre.equals("llama3"));
        String regex = switch (pre) {
          case "default", "gpt2" -> null;
          case "llama-bpe", "llama3" -> LLAMA3;
          case "qwen2" -> QWEN2;
          default -> throw new IllegalArgumentException("GGUF tokenizer.ggml.pre '" + pre + "' is not supported "
              + "(supported: default, gpt2, llama-bpe, llama3, qwen2)");
        };
        if (regex == null) {
          root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
              .put("use_regex", true);
        } else {
          ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
          ArrayNode steps = seq.putArray("pretokenizers");
          ObjectNode split = steps.addObject().put("type", "Split");
          split.putObject("pattern").put("Regex", regex);
          split.put("behavior", "Isolated").put("invert", false);
          steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false);
        }
        if (pre.equals("qwen2")) {
          root.putObject("normalizer").put("type", "NFC");
        }
        root.putObject("decoder").put("type", "ByteLevel");
      }
      case "llama" -> {
        List<?> scores = list(m, "tokenizer.ggml.scores");
        ArrayNode merges = bpe.putArray("merges");
        sentencePieceMerges(tokens, scores).forEach(p -> merges.addArray().add(p[0]).add(p[1]));
        bpe.put("byte_fallback", true).put("fuse_unk", true);
        if (m.get("tokenizer.ggml.unknown_token_id") instanceof Long u) {
          bpe.put("unk_token", (String) tokens.get((int) (long) u));
        }
        boolean prefix = !(m.get("tokenizer.ggml.add_space_prefix") instanceof Boolean b) || b;
        ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        if (prefix) {
          ns.addObject().put("type", "Prepend").put("prepend", "\u2581");
        }
        ObjectNode rep = ns.addObject().put("type", "Replace");
        rep.putObject("pattern").put("String", " ");
        rep.put("content", "\u2581");
        ObjectNode dec = root.putObject("decoder").put("type", "Sequence");
        ArrayNode ds = dec.putArray("decoders");
        ObjectNode drep = ds.addObject().put("type", "Replace");
        drep.putObject("pattern").put("String", "\u2581");
        drep.put("content", " ");
        ds.addObject().put("type", "ByteFallback");
        ds.addObject().put("type", "Fuse");
        if (prefix) {
          ds.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        }
      }
      default -> throw new IllegalArgumentException("GGUF tokenizer.ggml.model '" + model + "' is not supported "
          + "(supported: gpt2, llama)");
    }
    ObjectNode config = JSON.createObjectNode();
    if (m.get("tokenizer.ggml.bos_token_id") instanceof Long b) {
      config.put("bos_token", (String) tokens.get((int) (long) b));
    }
    if (m.get("tokenizer.ggml.eos_token_id") instanceof Long e) {
      config.put("eos_token", (String) tokens.get((int) (long) e));
    }
    boolean addBos = m.get("tokenizer.ggml.add_bos_token") instanceof Boolean b ? b : model.equals("llama");
    config.put("add_bos_token", addBos && config.has("bos_token"));
    config.put("add_eos_token", m.get("tokenizer.ggml.add_eos_token") instanceof Boolean e && e);
    if (m.get("tokenizer.chat_template") instanceof String t) {
      config.put("chat_template", t);
    }
    return new String[] {root.toString(), config.toString()};
  }

  /**
   * Merges of a SentencePiece BPE vocabulary from its scores, as transformers' SentencePieceExtractor derives
   * them: every split of a piece into two pieces is a merge; merges are ordered by the piece's score, highest
   * first (stable), and the splits of one piece by the ids of their parts.
   */
  static List<String[]> sentencePieceMerges(List<?> tokens, List<?> scores) {
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      ids.putIfAbsent((String) tokens.get(i), i);
    }
    record Merge(String left, String right, double score) {}
    List<Merge> merges = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      String piece = (String) tokens.get(i);
      double score = ((Number) scores.get(i)).doubleValue();
      List<Merge> local = new ArrayList<>();
      for (int k = 1; k < piece.length(); k++) {
        if (Character.isLowSurrogate(piece.charAt(k))) {
          continue;
        }
        String l = piece.substring(0, k);
        String r = piece.substring(k);
        if (ids.containsKey(l) && ids.containsKey(r)) {
          local.add(new Merge(l, r, score));
        }
      }
      local.sort(Comparator.comparingInt((Merge x) -> ids.get(x.left())).thenComparingInt(x -> ids.get(x.right())));
      merges.addAll(local);
    }
    merges.sort(Comparator.comparingDouble(Merge::score).reversed());
    List<String[]> out = new ArrayList<>(merges.size());
    merges.forEach(x -> out.add(new String[] {x.left(), x.right()}));
    return out;
  }

  private static List<?> list(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof List<?> l)) {
      throw new IllegalArgumentException("GGUF metadata lacks array " + key);
    }
    return l;
  }
}
