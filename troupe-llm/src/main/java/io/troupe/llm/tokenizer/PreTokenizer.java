package io.troupe.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code pre_tokenizer} step: splits a normalized section into words that BPE sees one at a
 * time (merges never cross a word boundary). Immutable and thread-safe.
 */
sealed interface PreTokenizer {
    /** The GPT-2 split pattern, used by the ByteLevel pre-tokenizer when {@code use_regex} is on. */
    String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /**
     * Splits every piece further.
     *
     * @param pieces the pieces so far (the whole section at first)
     * @param firstSection whether the section starts the input (no added token before it); drives
     *     Metaspace's {@code prepend_scheme: "first"}
     */
    List<String> split(List<String> pieces, boolean firstSection);

    /** Keeps the section as one word. */
    record None() implements PreTokenizer {
        public List<String> split(List<String> pieces, boolean firstSection) {
            return pieces;
        }
    }

    /** How matches of a Split pattern are kept, as in Hugging Face's {@code SplitDelimiterBehavior}. */
    enum Behavior { REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS }

    /** Splits on a regex or literal pattern. */
    record Split(Pattern pattern, Behavior behavior, boolean invert) implements PreTokenizer {
        public List<String> split(List<String> pieces, boolean firstSection) {
            List<String> out = new ArrayList<>();
            for (String p : pieces) {
                splitOne(p, out);
            }
            return out;
        }

        void splitOne(String text, List<String> out) {
            List<String> segs = new ArrayList<>();
            List<Boolean> isMatch = new ArrayList<>();
            var m = pattern.matcher(text);
            int last = 0;
            while (m.find()) {
                if (m.end() == m.start()) {
                    continue; // empty matches split nothing
                }
                if (m.start() > last) {
                    segs.add(text.substring(last, m.start()));
                    isMatch.add(invert);
                }
                segs.add(m.group());
                isMatch.add(!invert);
                last = m.end();
            }
            if (last < text.length()) {
                segs.add(text.substring(last));
                isMatch.add(invert);
            }
            StringBuilder pending = new StringBuilder();
            boolean pendingMatch = false;
            for (int i = 0; i < segs.size(); i++) {
                String s = segs.get(i);
                boolean match = isMatch.get(i);
                switch (behavior) {
                    case REMOVED -> {
                        if (!match) {
                            out.add(s);
                        }
                    }
                    case ISOLATED -> out.add(s);
                    case MERGED_WITH_PREVIOUS -> {
                        if (match && !out.isEmpty() && i > 0 && !isMatch.get(i - 1)) {
                            out.set(out.size() - 1, out.get(out.size() - 1) + s);
                        } else {
                            out.add(s);
                        }
                    }
                    case MERGED_WITH_NEXT -> {
                        // a match joins the segment after it unless that one is a match too (HF semantics)
                        boolean nextIsPlain = i + 1 < segs.size() && !isMatch.get(i + 1);
                        if (match && nextIsPlain) {
                            pending.append(s);
                        } else {
                            out.add(pending + s);
                            pending.setLength(0);
                        }
                    }
                    case CONTIGUOUS -> {
                        if (match && pendingMatch && !out.isEmpty()) {
                            out.set(out.size() - 1, out.get(out.size() - 1) + s);
                        } else {
                            out.add(s);
                        }
                        pendingMatch = match;
                    }
                }
            }
            if (!pending.isEmpty()) {
                out.add(pending.toString());
            }
        }
    }

    /** GPT-2 byte-level: optional prefix space, optional GPT-2 regex split, bytes mapped to chars. */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        private static final Split GPT2 = new Split(RegexTranslator.compile(GPT2_PATTERN), Behavior.ISOLATED, false);

        public List<String> split(List<String> pieces, boolean firstSection) {
            List<String> out = new ArrayList<>();
            for (String p : pieces) {
                String s = addPrefixSpace && !p.startsWith(" ") ? " " + p : p;
                if (useRegex) {
                    List<String> words = new ArrayList<>();
                    GPT2.splitOne(s, words);
                    for (String w : words) {
                        out.add(ByteLevelCodec.encode(w));
                    }
                } else {
                    out.add(ByteLevelCodec.encode(s));
                }
            }
            return out;
        }
    }

    /** When Metaspace prepends its replacement char. */
    enum PrependScheme { ALWAYS, FIRST, NEVER }

    /** SentencePiece style: spaces become {@code ▁}, optionally prepended, split before each {@code ▁}. */
    record Metaspace(String replacement, PrependScheme prependScheme, boolean splitWords) implements PreTokenizer {
        public List<String> split(List<String> pieces, boolean firstSection) {
            List<String> out = new ArrayList<>();
            Split splitter = new Split(Pattern.compile(Pattern.quote(replacement)), Behavior.MERGED_WITH_NEXT, false);
            for (int i = 0; i < pieces.size(); i++) {
                String s = pieces.get(i).replace(" ", replacement);
                boolean prepend = prependScheme == PrependScheme.ALWAYS
                        || (prependScheme == PrependScheme.FIRST && firstSection && i == 0);
                if (prepend && !s.startsWith(replacement)) {
                    s = replacement + s;
                }
                if (splitWords) {
                    splitter.splitOne(s, out);
                } else {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /** Applies pre-tokenizers in order, each on every piece the previous produced. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        public List<String> split(List<String> pieces, boolean firstSection) {
            for (PreTokenizer p : steps) {
                pieces = p.split(pieces, firstSection);
            }
            return pieces;
        }
    }

    /** Reads the {@code pre_tokenizer} object of tokenizer.json ({@code null} means none). */
    static PreTokenizer fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return new None();
        }
        String type = node.path("type").asText();
        return switch (type) {
            case "ByteLevel" -> new ByteLevel(node.path("add_prefix_space").asBoolean(true), node.path("use_regex").asBoolean(true));
            case "Split" -> new Split(JsonPatterns.pattern(node.path("pattern")), behavior(node.path("behavior").asText("Isolated")),
                    node.path("invert").asBoolean(false));
            case "Metaspace" -> new Metaspace(node.path("replacement").asText("\u2581"), prependScheme(node),
                    node.path("split").asBoolean(true));
            case "Digits" -> new Split(Pattern.compile(node.path("individual_digits").asBoolean(false) ? "\\p{Nd}" : "\\p{Nd}+"),
                    Behavior.ISOLATED, false);
            case "WhitespaceSplit" -> new Split(RegexTranslator.compile("\\s+"), Behavior.REMOVED, false);
            case "Whitespace" -> new Split(RegexTranslator.compile("\\w+|[^\\w\\s]+"), Behavior.REMOVED, true);
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                for (JsonNode n : node.path("pretokenizers")) {
                    steps.add(fromJson(n));
                }
                yield new Sequence(List.copyOf(steps));
            }
            default -> throw new TokenizerException("unsupported pre_tokenizer type '" + type + "'");
        };
    }

    static Behavior behavior(String name) {
        return switch (name) {
            case "Removed" -> Behavior.REMOVED;
            case "Isolated" -> Behavior.ISOLATED;
            case "MergedWithPrevious" -> Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> Behavior.CONTIGUOUS;
            default -> throw new TokenizerException("unsupported split behavior '" + name + "'");
        };
    }

    /** {@code prepend_scheme} (new format) or {@code add_prefix_space} (old format, true means always). */
    static PrependScheme prependScheme(JsonNode node) {
        if (node.has("prepend_scheme")) {
            return switch (node.get("prepend_scheme").asText()) {
                case "always" -> PrependScheme.ALWAYS;
                case "first" -> PrependScheme.FIRST;
                case "never" -> PrependScheme.NEVER;
                default -> throw new TokenizerException("unsupported prepend_scheme " + node.get("prepend_scheme"));
            };
        }
        return node.path("add_prefix_space").asBoolean(true) ? PrependScheme.ALWAYS : PrependScheme.NEVER;
    }
}
