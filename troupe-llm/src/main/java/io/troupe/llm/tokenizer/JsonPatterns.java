package io.troupe.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/** Reads the {@code {"String": ...}} / {@code {"Regex": ...}} pattern objects of tokenizer.json. Stateless. */
final class JsonPatterns {
    private JsonPatterns() {
    }

    static Pattern pattern(JsonNode node) {
        if (node.has("String")) {
            return Pattern.compile(Pattern.quote(node.get("String").asText()));
        }
        if (node.has("Regex")) {
            return RegexTranslator.compile(node.get("Regex").asText());
        }
        if (node.isTextual()) {
            return Pattern.compile(Pattern.quote(node.asText()));
        }
        throw new TokenizerException("pattern must be {\"String\": ...} or {\"Regex\": ...}, got " + node);
    }
}
