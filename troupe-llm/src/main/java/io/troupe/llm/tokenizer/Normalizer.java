package io.troupe.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code normalizer} step of a Hugging Face tokenizer: rewrites each text section (between
 * added tokens) before pre-tokenization. Implementations are immutable and thread-safe.
 */
sealed interface Normalizer {
    String normalize(String text);

    /** Does nothing. */
    record Identity() implements Normalizer {
        public String normalize(String text) {
            return text;
        }
    }

    /** Prepends {@code prepend} to non-empty text (SentencePiece's leading {@code ▁}). */
    record Prepend(String prepend) implements Normalizer {
        public String normalize(String text) {
            return text.isEmpty() ? text : prepend + text;
        }
    }

    /** Replaces every match of a literal or regex pattern. */
    record Replace(Pattern pattern, String content) implements Normalizer {
        public String normalize(String text) {
            return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
        }
    }

    /** Unicode normalization (NFC, NFD, NFKC, NFKD). */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    /** Lower-cases the text (locale-independent). */
    record Lowercase() implements Normalizer {
        public String normalize(String text) {
            return text.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Strips whitespace on the left and/or right. */
    record Strip(boolean left, boolean right) implements Normalizer {
        public String normalize(String text) {
            String s = left ? text.stripLeading() : text;
            return right ? s.stripTrailing() : s;
        }
    }

    /** Applies normalizers in order. */
    record Sequence(List<Normalizer> steps) implements Normalizer {
        public String normalize(String text) {
            for (Normalizer n : steps) {
                text = n.normalize(text);
            }
            return text;
        }
    }

    /** Reads the {@code normalizer} object of tokenizer.json ({@code null} means identity). */
    static Normalizer fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Identity();
        }
        String type = node.path("type").asText();
        return switch (type) {
            case "Prepend" -> new Prepend(node.path("prepend").asText());
            case "Replace" -> new Replace(JsonPatterns.pattern(node.path("pattern")), node.path("content").asText());
            case "NFC" -> new Unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> new Unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new Unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new Unicode(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Lowercase();
            case "Strip" -> new Strip(node.path("strip_left").asBoolean(true), node.path("strip_right").asBoolean(true));
            case "Sequence" -> {
                List<Normalizer> steps = new ArrayList<>();
                for (JsonNode n : node.path("normalizers")) {
                    steps.add(fromJson(n));
                }
                yield new Sequence(List.copyOf(steps));
            }
            default -> throw new TokenizerException("unsupported normalizer type '" + type + "'");
        };
    }
}
