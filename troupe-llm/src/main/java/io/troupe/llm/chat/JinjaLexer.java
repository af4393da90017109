package io.troupe.llm.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Jinja template into text, {@code {{ }}} and {@code {% %}} segments, applying the
 * whitespace rules the Hugging Face chat-template environment uses: explicit {@code -} trimming,
 * plus {@code trim_blocks} (the first newline after a block tag is dropped) and
 * {@code lstrip_blocks} (spaces and tabs before a block tag at the start of a line are dropped).
 * Comments {@code {# #}} are removed. Stateless; thread-safe.
 */
final class JinjaLexer {
    /** What a segment is. */
    enum Kind { TEXT, OUTPUT, STATEMENT }

    /** One piece of the template; {@code body} is the text or the tag's inside. */
    record Segment(Kind kind, String body, int line) {
    }

    private JinjaLexer() {
    }

    static List<Segment> lex(String src) {
        List<Segment> raw = new ArrayList<>();
        List<boolean[]> trims = new ArrayList<>(); // per segment: {leftTrim '-', rightTrim '-', noLstrip '+'}
        int i = 0;
        int line = 1;
        StringBuilder text = new StringBuilder();
        int textLine = 1;
        while (i < src.length()) {
            int open = nextOpen(src, i);
            if (open < 0) {
                text.append(src, i, src.length());
                break;
            }
            text.append(src, i, open);
            line += count(src, i, open);
            char kindChar = src.charAt(open + 1);
            String close = kindChar == '{' ? "}}" : kindChar == '%' ? "%}" : "#}";
            int bodyStart = open + 2;
            boolean leftTrim = bodyStart < src.length() && src.charAt(bodyStart) == '-';
            boolean noLstrip = bodyStart < src.length() && src.charAt(bodyStart) == '+';
            if (leftTrim || noLstrip) {
                bodyStart++;
            }
            int end = findClose(src, bodyStart, close, line);
            boolean rightTrim = end > bodyStart && src.charAt(end - 1) == '-';
            String body = src.substring(bodyStart, rightTrim ? end - 1 : end);
            raw.add(new Segment(Kind.TEXT, text.toString(), textLine));
            trims.add(new boolean[3]);
            text.setLength(0);
            Kind kind = kindChar == '{' ? Kind.OUTPUT : Kind.STATEMENT;
            // comments take part in whitespace handling like statements, then are dropped
            raw.add(new Segment(kind, kindChar == '#' ? null : body.strip(), line));
            trims.add(new boolean[] {leftTrim, rightTrim, noLstrip});
            line += count(src, open, end + 2);
            i = end + 2;
            textLine = line;
        }
        raw.add(new Segment(Kind.TEXT, text.toString(), textLine));
        trims.add(new boolean[3]);
        return applyWhitespace(raw, trims);
    }

    private static List<Segment> applyWhitespace(List<Segment> raw, List<boolean[]> trims) {
        String[] texts = new String[raw.size()];
        for (int k = 0; k < raw.size(); k++) {
            texts[k] = raw.get(k).kind() == Kind.TEXT ? raw.get(k).body() : null;
        }
        // trailing ends first (decided on the original text), then leading ends
        for (int k = 0; k < raw.size(); k++) {
            Segment s = raw.get(k);
            if (s.kind() == Kind.TEXT) {
                continue;
            }
            boolean[] t = trims.get(k);
            if (t[0]) {
                texts[k - 1] = texts[k - 1].stripTrailing();
            } else if (s.kind() == Kind.STATEMENT && !t[2]) {
                texts[k - 1] = lstripBlock(texts[k - 1], k - 1 == 0);
            }
        }
        for (int k = 0; k < raw.size(); k++) {
            Segment s = raw.get(k);
            if (s.kind() == Kind.TEXT) {
                continue;
            }
            if (trims.get(k)[1]) {
                texts[k + 1] = texts[k + 1].stripLeading();
            } else if (s.kind() == Kind.STATEMENT) {
                String next = texts[k + 1];
                if (next.startsWith("\r\n")) {
                    texts[k + 1] = next.substring(2);
                } else if (next.startsWith("\n")) {
                    texts[k + 1] = next.substring(1);
                }
            }
        }
        List<Segment> out = new ArrayList<>();
        for (int k = 0; k < raw.size(); k++) {
            Segment s = raw.get(k);
            if (s.kind() == Kind.TEXT) {
                if (!texts[k].isEmpty()) {
                    out.add(new Segment(Kind.TEXT, texts[k], s.line()));
                }
            } else if (s.body() != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** lstrip_blocks: drop spaces/tabs between the last newline (or template start) and the tag. */
    private static String lstripBlock(String text, boolean atTemplateStart) {
        int j = text.length();
        while (j > 0 && (text.charAt(j - 1) == ' ' || text.charAt(j - 1) == '\t')) {
            j--;
        }
        if (j == 0 ? atTemplateStart : text.charAt(j - 1) == '\n') {
            return text.substring(0, j);
        }
        return text;
    }

    private static int nextOpen(String src, int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Finds the closing delimiter, skipping string literals inside the tag. */
    private static int findClose(String src, int from, String close, int line) {
        char quote = 0;
        for (int i = from; i + 1 < src.length(); i++) {
            char c = src.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (close.charAt(0) != '#' && (c == '\'' || c == '"')) {
                quote = c;
            } else if (src.startsWith(close, i)) {
                return i;
            }
        }
        throw new TemplateException("unclosed tag, expected '" + close + "'", line);
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to && i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
