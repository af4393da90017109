package io.troupe.llm.tokenizer;

import java.util.regex.Pattern;

/**
 * Translates the Oniguruma / Rust-regex patterns found in {@code tokenizer.json} (and tiktoken) to
 * {@link java.util.regex.Pattern}.
 *
 * <p>Most of the syntax is shared: {@code \p{L}}, {@code \p{N}}, lookahead {@code (?!\S)},
 * possessive {@code ?+ ++ *+} and inline {@code (?i:...)} groups work unchanged. What differs is
 * the meaning of the shorthand classes: in those engines {@code \s \d \w} are Unicode-aware, in
 * Java they are ASCII-only unless {@code UNICODE_CHARACTER_CLASS} is set (which also slows every
 * match). So we rewrite just those shorthands to explicit Unicode properties, inside and outside
 * character classes, and leave the rest untouched. Stateless; thread-safe.
 */
final class RegexTranslator {
    private static final String WS = "\\p{IsWhite_Space}";
    private static final String NOT_WS = "\\P{IsWhite_Space}";
    private static final String DIGIT = "\\p{Nd}";
    private static final String NOT_DIGIT = "\\P{Nd}";
    private static final String WORD = "\\p{L}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}";

    private RegexTranslator() {
    }

    /** Compiles an HF / PCRE-style pattern with Unicode shorthand semantics. */
    static Pattern compile(String pattern) {
        return Pattern.compile(translate(pattern));
    }

    static String translate(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length() + 32);
        int classDepth = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                char n = pattern.charAt(++i);
                switch (n) {
                    case 's' -> out.append(WS);
                    case 'S' -> out.append(NOT_WS);
                    case 'd' -> out.append(DIGIT);
                    case 'D' -> out.append(NOT_DIGIT);
                    case 'w' -> out.append(classDepth > 0 ? WORD : "[" + WORD + "]");
                    case 'W' -> out.append(classDepth > 0 ? "[^" + WORD + "]" : "[^" + WORD + "]");
                    default -> out.append(c).append(n);
                }
                continue;
            }
            if (c == '[') {
                classDepth++;
            } else if (c == ']' && classDepth > 0) {
                classDepth--;
            }
            out.append(c);
        }
        return out.toString();
    }
}
