package io.troupe.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads tokenizer.json / tokenizer_config.json / generation_config.json into a {@link Tokenizer}. Stateless. */
final class TokenizerLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerLoader() {
    }

    static Tokenizer fromDirectory(Path dir) {
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            var gguf = io.troupe.llm.model.ModelFolder.ggufFile(dir);
            if (gguf.isPresent()) {
                String[] json = io.troupe.llm.model.gguf.GgufModel.tokenizerJson(gguf.get());
                return fromJson(json[0], json[1], null);
            }
        }
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new TokenizerException("no tokenizer.json in " + dir);
        }
        return fromJson(read(tokenizerJson), readIfPresent(dir.resolve("tokenizer_config.json")),
                readIfPresent(dir.resolve("generation_config.json")));
    }

    static Tokenizer fromJson(String tokenizerJson, String configJson, String generationConfigJson) {
        JsonNode root = parse(tokenizerJson, "tokenizer.json");
        JsonNode config = configJson == null ? JSON.createObjectNode() : parse(configJson, "tokenizer_config.json");
        JsonNode genConfig = generationConfigJson == null ? JSON.createObjectNode()
                : parse(generationConfigJson, "generation_config.json");

        BpeModel model = model(root.path("model"));
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            added.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(false),
                    t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false)));
        }
        String bos = tokenString(config.get("bos_token"));
        String eos = tokenString(config.get("eos_token"));
        String chatTemplate = chatTemplate(config.get("chat_template"));

        Map<String, Integer> ids = new LinkedHashMap<>();
        added.forEach(t -> ids.put(t.content(), t.id()));
        int[][] template = templateIds(root.get("post_processor"));
        int[] prefix = template[0];
        int[] suffix = template[1];
        if (config.has("add_bos_token") || config.has("add_eos_token")) {
            prefix = config.path("add_bos_token").asBoolean(false) ? idsOf(bos, model, ids, "bos_token") : new int[0];
            suffix = config.path("add_eos_token").asBoolean(false) ? idsOf(eos, model, ids, "eos_token") : new int[0];
        }

        Set<Integer> eosIds = new LinkedHashSet<>();
        if (eos != null) {
            for (int id : idsOf(eos, model, ids, "eos_token")) {
                eosIds.add(id);
            }
        }
        JsonNode genEos = genConfig.get("eos_token_id");
        if (genEos != null && genEos.isArray()) {
            genEos.forEach(n -> eosIds.add(n.asInt()));
        } else if (genEos != null && genEos.isNumber()) {
            eosIds.add(genEos.asInt());
        }
        return new Tokenizer(model, Normalizer.fromJson(root.get("normalizer")), PreTokenizer.fromJson(root.get("pre_tokenizer")),
                TokenDecoder.fromJson(root.get("decoder")), added, prefix, suffix, bos, eos,
                eosIds.stream().mapToInt(Integer::intValue).toArray(), chatTemplate);
    }

    private static BpeModel model(JsonNode m) {
        String type = m.path("type").asText("BPE");
        if (!type.equals("BPE")) {
            throw new TokenizerException("unsupported model type '" + type + "' (only BPE is implemented)");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        m.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        List<String[]> merges = new ArrayList<>();
        for (JsonNode merge : m.path("merges")) {
            if (merge.isArray() && merge.size() == 2) {
                merges.add(new String[] {merge.get(0).asText(), merge.get(1).asText()});
            } else if (merge.isTextual()) {
                String s = merge.asText();
                int sp = s.indexOf(' ', 1); // a part may itself be a space only in array form
                if (sp < 0) {
                    throw new TokenizerException("bad merge '" + s + "'");
                }
                merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
            } else {
                throw new TokenizerException("bad merge " + merge);
            }
        }
        String unk = m.path("unk_token").isTextual() ? m.get("unk_token").asText() : null;
        return new BpeModel(vocab, merges, unk, m.path("byte_fallback").asBoolean(false), m.path("fuse_unk").asBoolean(false),
                m.path("ignore_merges").asBoolean(false), optionalText(m, "continuing_subword_prefix"),
                optionalText(m, "end_of_word_suffix"));
    }

    /** A string field that may be absent or null (then ""). */
    private static String optionalText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw new TokenizerException("BPE " + field + " must be a string or null, found " + v);
        }
        return v.asText();
    }

    /** The ids a TemplateProcessing "single" template puts before and after the sequence. */
    private static int[][] templateIds(JsonNode pp) {
        if (pp == null || pp.isNull()) {
            return new int[][] {new int[0], new int[0]};
        }
        String type = pp.path("type").asText();
        if (type.equals("Sequence")) {
            for (JsonNode p : pp.path("processors")) {
                if (p.path("type").asText().equals("TemplateProcessing")) {
                    return templateIds(p);
                }
            }
            return new int[][] {new int[0], new int[0]};
        }
        if (!type.equals("TemplateProcessing")) {
            return new int[][] {new int[0], new int[0]}; // ByteLevel etc. do not add ids
        }
        IntList before = new IntList(2);
        IntList after = new IntList(2);
        boolean seenSequence = false;
        for (JsonNode piece : pp.path("single")) {
            if (piece.has("Sequence")) {
                seenSequence = true;
            } else if (piece.has("SpecialToken")) {
                String name = piece.get("SpecialToken").path("id").asText();
                JsonNode spec = pp.path("special_tokens").path(name);
                if (spec.isMissingNode()) {
                    throw new TokenizerException("post_processor refers to unknown special token " + name);
                }
                for (JsonNode id : spec.path("ids")) {
                    (seenSequence ? after : before).add(id.asInt());
                }
            }
        }
        return new int[][] {before.toArray(), after.toArray()};
    }

    private static int[] idsOf(String token, BpeModel model, Map<String, Integer> added, String what) {
        if (token == null) {
            return new int[0];
        }
        Integer id = added.containsKey(token) ? added.get(token) : model.tokenToId(token);
        if (id == null) {
            throw new TokenizerException(what + " '" + token + "' is not in the vocabulary");
        }
        return new int[] {id};
    }

    /** A token in tokenizer_config.json: a string, or an AddedToken object with "content". */
    private static String tokenString(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isTextual() ? n.asText() : n.path("content").isTextual() ? n.get("content").asText() : null;
    }

    /** chat_template: a string, or a list of {name, template} where "default" is chosen. */
    private static String chatTemplate(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            for (JsonNode t : n) {
                if ("default".equals(t.path("name").asText())) {
                    return t.path("template").asText();
                }
            }
            return n.size() > 0 ? n.get(0).path("template").asText() : null;
        }
        return null;
    }

    private static JsonNode parse(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new TokenizerException("cannot parse " + what + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static String readIfPresent(Path p) {
        return Files.isRegularFile(p) ? read(p) : null;
    }
}
