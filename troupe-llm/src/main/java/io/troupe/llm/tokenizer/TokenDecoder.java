package io.troupe.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code decoder} step: turns the token strings of a sequence back into text. Works on the
 * whole list, as Hugging Face's {@code decode_chain} does, because some steps look across tokens
 * (byte fallback joins {@code <0xNN>} runs, Metaspace and Strip treat the first token specially).
 * Immutable and thread-safe.
 */
sealed interface TokenDecoder {
    List<String> decodeChain(List<String> tokens);

    default String decode(List<String> tokens) {
        return String.join("", decodeChain(tokens));
    }

    /** No decoder configured: tokens joined by a space, as in Hugging Face. */
    record Join() implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join(" ", tokens));
        }
    }

    /** GPT-2 byte-level: all chars back to bytes, then lossy UTF-8. */
    record ByteLevel() implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                ByteLevelCodec.decodeInto(t, bytes);
            }
            return List.of(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /** Runs of {@code <0xNN>} tokens become the UTF-8 text of their bytes (U+FFFD per byte if invalid). */
    record ByteFallback() implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteToken(t);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(t);
            }
            flush(run, out);
            return out;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) {
                return;
            }
            byte[] bytes = run.toByteArray();
            run.reset();
            var decoder = StandardCharsets.UTF_8.newDecoder();
            try {
                out.add(decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString());
            } catch (java.nio.charset.CharacterCodingException e) {
                out.add("\uFFFD".repeat(bytes.length));
            }
        }

        static int byteToken(String t) {
            if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                try {
                    return Integer.parseInt(t.substring(3, 5), 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }
    }

    /** Joins all tokens into one. */
    record Fuse() implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Replaces a pattern in every token. */
    record Replace(Pattern pattern, String content) implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                out.add(pattern.matcher(t).replaceAll(Matcher.quoteReplacement(content)));
            }
            return out;
        }
    }

    /** Strips up to {@code start} leading and {@code stop} trailing {@code content} chars from every token. */
    record Strip(String content, int start, int stop) implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int from = 0;
                int to = t.length();
                for (int i = 0; i < start && t.startsWith(content, from); i++) {
                    from += content.length();
                }
                for (int i = 0; i < stop && to - content.length() >= from && t.startsWith(content, to - content.length()); i++) {
                    to -= content.length();
                }
                out.add(t.substring(from, to));
            }
            return out;
        }
    }

    /** SentencePiece: {@code ▁} back to space, the first token's leading space dropped when one was prepended. */
    record Metaspace(String replacement, PreTokenizer.PrependScheme prependScheme) implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i).replace(replacement, " ");
                if (i == 0 && prependScheme != PreTokenizer.PrependScheme.NEVER && t.startsWith(" ")) {
                    t = t.substring(1);
                }
                out.add(t);
            }
            return out;
        }
    }

    /** Applies decoders in order. */
    record Sequence(List<TokenDecoder> steps) implements TokenDecoder {
        public List<String> decodeChain(List<String> tokens) {
            for (TokenDecoder d : steps) {
                tokens = d.decodeChain(tokens);
            }
            return tokens;
        }
    }

    /** Reads the {@code decoder} object of tokenizer.json ({@code null} means join with spaces). */
    static TokenDecoder fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Join();
        }
        String type = node.path("type").asText();
        return switch (type) {
            case "ByteLevel" -> new ByteLevel();
            case "ByteFallback" -> new ByteFallback();
            case "Fuse" -> new Fuse();
            case "Replace" -> new Replace(JsonPatterns.pattern(node.path("pattern")), node.path("content").asText());
            case "Strip" -> new Strip(node.path("content").asText(" "), node.path("start").asInt(0), node.path("stop").asInt(0));
            case "Metaspace" -> new Metaspace(node.path("replacement").asText("\u2581"), PreTokenizer.prependScheme(node));
            case "Sequence" -> {
                List<TokenDecoder> steps = new ArrayList<>();
                for (JsonNode n : node.path("decoders")) {
                    steps.add(fromJson(n));
                }
                yield new Sequence(List.copyOf(steps));
            }
            default -> throw new TokenizerException("unsupported decoder type '" + type + "'");
        };
    }
}
