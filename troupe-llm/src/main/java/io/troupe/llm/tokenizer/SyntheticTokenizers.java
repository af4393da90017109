package io.troupe.llm.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small but real tokenizer for synthetic test/demo models, in the Llama-3 format: a
 * byte-level BPE whose 256 byte tokens (ids 0..255) cover every UTF-8 input, merges learned
 * deterministically from {@link SyntheticCorpus}, and special tokens at the top of the id range
 * ({@code <|begin_of_text|>}, {@code <|end_of_text|>}, {@code <|start_header_id|>},
 * {@code <|end_header_id|>}, {@code <|eot_id|>}, then {@code <|reserved_special_token_N|>} if the
 * corpus runs out of pairs). The tokenizer_config.json carries bos/eos and the Llama-3 chat template.
 *
 * <p>The output depends only on {@code vocabSize}. Stateless; thread-safe.
 */
public final class SyntheticTokenizers {
    /** The Llama-3 split pattern (also used by the synthetic tokenizer's pre-tokenizer). */
    public static final String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Special tokens, in id order at the end of the vocabulary. */
    public static final List<String> SPECIALS = List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|eot_id|>");
    /** The smallest vocabulary: 256 bytes plus the specials. */
    public static final int MIN_VOCAB = 256 + 5;

    static final String CHAT_TEMPLATE = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim"
            + " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CORPUS_SENTENCES = 12_000;

    private SyntheticTokenizers() {
    }

    /** The pre-tokenized corpus word counts, computed once on first use (immutable, so shareable). */
    private static final class CorpusWords {
        static final Map<String, Integer> FREQS = count();

        private static Map<String, Integer> count() {
            PreTokenizer.Split splitter = new PreTokenizer.Split(RegexTranslator.compile(LLAMA3_PATTERN),
                    PreTokenizer.Behavior.ISOLATED, false);
            Map<String, Integer> freqs = new HashMap<>();
            for (String line : SyntheticCorpus.lines(CORPUS_SENTENCES)) {
                for (String word : splitter.split(List.of(line), true)) {
                    freqs.merge(ByteLevelCodec.encode(word), 1, Integer::sum);
                }
            }
            return Map.copyOf(freqs);
        }
    }

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir} (created if
     * needed).
     *
     * @param vocabSize total ids, specials included; at least {@link #MIN_VOCAB}
     * @return the vocabulary size written (always {@code vocabSize})
     */
    public static int writeTo(Path dir, int vocabSize) {
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("vocabSize must be at least " + MIN_VOCAB + ", got " + vocabSize);
        }
        ObjectNode[] files = build(vocabSize);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(files[0]));
            Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(files[1]));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic tokenizer to " + dir, e);
        }
        return vocabSize;
    }

    /** Builds the same tokenizer in memory, without files. */
    public static Tokenizer create(int vocabSize) {
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("vocabSize must be at least " + MIN_VOCAB + ", got " + vocabSize);
        }
        ObjectNode[] files = build(vocabSize);
        return TokenizerLoader.fromJson(files[0].toString(), files[1].toString(), null);
    }

    private static ObjectNode[] build(int vocabSize) {
        int regularTarget = vocabSize - SPECIALS.size();
        BpeTrainer.Result trained = train(regularTarget);
        List<String> tokens = trained.tokens();
        List<String> specials = new ArrayList<>(SPECIALS);
        for (int r = 0; tokens.size() + specials.size() < vocabSize; r++) {
            specials.add("<|reserved_special_token_" + r + "|>");
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < specials.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", tokens.size() + i).put("content", specials.get(i)).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", LLAMA3_PATTERN);
        split.put("behavior", "Isolated").put("invert", false);
        pres.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);

        ObjectNode post = root.putObject("post_processor").put("type", "Sequence");
        ArrayNode procs = post.putArray("processors");
        procs.addObject().put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false).put("use_regex", true);
        ObjectNode tp = procs.addObject().put("type", "TemplateProcessing");
        ArrayNode single = tp.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", SPECIALS.get(0)).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ObjectNode st = tp.putObject("special_tokens").putObject(SPECIALS.get(0));
        st.put("id", SPECIALS.get(0));
        st.putArray("ids").add(tokens.size());
        st.putArray("tokens").add(SPECIALS.get(0));

        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] m : trained.merges()) {
            merges.add(m[0] + " " + m[1]);
        }

        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", SPECIALS.get(0));
        config.put("eos_token", "<|eot_id|>");
        config.put("model_max_length", 131072);
        config.put("clean_up_tokenization_spaces", false);
        config.put("chat_template", CHAT_TEMPLATE);
        return new ObjectNode[] {root, config};
    }

    private static BpeTrainer.Result train(int targetTokens) {
        List<String> alphabet = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            alphabet.add(String.valueOf(ByteLevelCodec.charOf(b)));
        }
        return new BpeTrainer(alphabet, CorpusWords.FREQS).train(targetTokens);
    }
}
