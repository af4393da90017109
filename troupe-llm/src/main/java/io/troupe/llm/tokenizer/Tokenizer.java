package io.troupe.llm.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face {@code tokenizer.json} BPE tokenizer: byte-level BPE (GPT-2, Llama 3, Qwen2) and
 * SentencePiece-style BPE with byte fallback (Llama 2, TinyLlama).
 *
 * <p>Encoding runs the same pipeline as the {@code tokenizers} library: added tokens are cut out
 * of the raw text first, then each remaining section is normalized, pre-tokenized into words, and
 * each word is merged by {@link BpeModel}; with {@code addSpecial} the post-processor's (or
 * {@code tokenizer_config.json}'s {@code add_bos_token}/{@code add_eos_token}) BOS/EOS are added.
 * Decoding maps ids to token strings and runs the configured decoder chain.
 *
 * <p>Known limitation: added tokens declared {@code normalized: true} are matched on the raw text,
 * not the normalized text; {@code single_word} is ignored. Decoding silently skips ids that have
 * no token (models often pad their embedding past the tokenizer's vocabulary).
 *
 * <p>Immutable after loading (the word cache inside is concurrent): one instance may be shared by
 * all threads. Use {@link #newStreamingDecoder(boolean)} per generated sequence.
 */
public final class Tokenizer {
    private final BpeModel model;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final TokenDecoder decoder;
    private final AddedTokenSplitter splitter;
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final int[] prefixIds;
    private final int[] suffixIds;
    private final String bosToken;
    private final String eosToken;
    private final int[] eosIds;
    private final String chatTemplate;
    private final int vocabSize;

    Tokenizer(BpeModel model, Normalizer normalizer, PreTokenizer preTokenizer, TokenDecoder decoder,
              List<AddedToken> addedTokens, int[] prefixIds, int[] suffixIds, String bosToken, String eosToken,
              int[] eosIds, String chatTemplate) {
        this.model = model;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.decoder = decoder;
        this.splitter = new AddedTokenSplitter(addedTokens);
        int size = model.size();
        for (AddedToken t : addedTokens) {
            addedById.put(t.id(), t);
            addedByContent.put(t.content(), t);
            size = Math.max(size, t.id() + 1);
        }
        this.vocabSize = size;
        this.prefixIds = prefixIds.clone();
        this.suffixIds = suffixIds.clone();
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.eosIds = eosIds.clone();
        this.chatTemplate = chatTemplate;
    }

    /**
     * Loads {@code tokenizer.json} and, when present, ... (see below); a {@code .gguf} file (or a folder whose only
     * model is one, without tokenizer.json) gives its tokenizer and chat template from the GGUF metadata.
     *
     * <p>Loads {@code tokenizer.json} and, when present, {@code tokenizer_config.json} (BOS/EOS,
     * {@code add_bos_token}, {@code chat_template}) and {@code generation_config.json} (extra EOS ids).
     */
    public static Tokenizer fromDirectory(Path dir) {
        return TokenizerLoader.fromDirectory(dir);
    }

    /**
     * Builds a tokenizer from the JSON texts.
     *
     * @param tokenizerJson the content of {@code tokenizer.json}
     * @param tokenizerConfigJson the content of {@code tokenizer_config.json}, or {@code null}
     */
    public static Tokenizer fromJson(String tokenizerJson, String tokenizerConfigJson) {
        return TokenizerLoader.fromJson(tokenizerJson, tokenizerConfigJson, null);
    }

    /**
     * Encodes text. Added/special tokens written in the text (e.g. {@code <|eot_id|>}) are
     * recognised, as Hugging Face does by default.
     *
     * @param addSpecial whether to add the BOS/EOS the tokenizer is configured to add
     */
    public int[] encode(String text, boolean addSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial) {
            out.addAll(prefixIds);
        }
        boolean first = true;
        for (AddedTokenSplitter.Segment seg : splitter.split(text)) {
            if (seg.isToken()) {
                out.add(seg.tokenId());
            } else {
                String normalized = normalizer.normalize(seg.text());
                if (!normalized.isEmpty()) {
                    for (String word : preTokenizer.split(List.of(normalized), first)) {
                        model.encodeWord(word, out);
                    }
                }
            }
            first = false;
        }
        if (addSpecial) {
            out.addAll(suffixIds);
        }
        return out.toArray();
    }

    /** Decodes ids to text; ids without a token are skipped. */
    public String decode(int[] ids, boolean skipSpecial) {
        return decode(ids, 0, ids.length, skipSpecial);
    }

    String decode(int[] ids, int from, int to, boolean skipSpecial) {
        List<String> tokens = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            String t = tokenFor(ids[i], skipSpecial);
            if (t != null) {
                tokens.add(t);
            }
        }
        return tokens.isEmpty() ? "" : decoder.decode(tokens);
    }

    private String tokenFor(int id, boolean skipSpecial) {
        AddedToken added = addedById.get(id);
        if (added != null) {
            return skipSpecial && added.special() ? null : added.content();
        }
        return model.idToToken(id);
    }

    /** A new incremental detokenizer for one sequence (not thread-safe itself). */
    public StreamingDecoder newStreamingDecoder(boolean skipSpecial) {
        return new StreamingDecoder(this, skipSpecial);
    }

    /** The id of a token string (vocabulary or added token), if any. */
    public Optional<Integer> tokenToId(String token) {
        AddedToken added = addedByContent.get(token);
        if (added != null) {
            return Optional.of(added.id());
        }
        return Optional.ofNullable(model.tokenToId(token));
    }

    /** The raw token string of an id (byte-level or {@code ▁} form), if any. */
    public Optional<String> idToToken(int id) {
        return Optional.ofNullable(tokenFor(id, false));
    }

    /** Whether the id is a special added token. */
    public boolean isSpecial(int id) {
        AddedToken t = addedById.get(id);
        return t != null && t.special();
    }

    /** One more than the largest id (vocabulary and added tokens). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The BOS id, or -1 when the tokenizer has no BOS token. */
    public int bosId() {
        return bosToken == null ? -1 : tokenToId(bosToken).orElse(-1);
    }

    /** The BOS token string, if any. */
    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    /** The EOS token string, if any. */
    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    /** Ids that end generation: the EOS token plus {@code generation_config.json}'s {@code eos_token_id}s. */
    public int[] eosIds() {
        return eosIds.clone();
    }

    /** The Jinja {@code chat_template} source from tokenizer_config.json, if any. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** All added tokens, by id. */
    public List<AddedToken> addedTokens() {
        return List.copyOf(addedById.values());
    }
}
