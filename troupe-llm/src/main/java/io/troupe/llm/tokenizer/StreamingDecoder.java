package io.troupe.llm.tokenizer;

import java.util.Arrays;

/**
 * Incremental detokenizer for one generated sequence: feed ids one at a time, get back the text
 * they add. The concatenation of all deltas plus {@link #finish()} equals
 * {@code tokenizer.decode(allIds, skipSpecial)} for the supported decoders.
 *
 * <p>It keeps a small window of ids and decodes {@code window + new id}; the delta is the decoded
 * text minus the window's own text (the "prefix"). This is what makes SentencePiece's leading-space
 * rule come out right ({@code ▁world} alone decodes to {@code "world"}, after {@code ▁Hello} it
 * contributes {@code " world"}). While the decoded text ends with U+FFFD the id is held back: an
 * incomplete UTF-8 sequence (a byte-fallback {@code <0xE4>} or a byte-level piece of a multibyte
 * char) is never emitted half-way. The same technique as Hugging Face's {@code DecodeStream}.
 *
 * <p>Not thread-safe: one instance per sequence, used by one thread at a time.
 */
public final class StreamingDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final boolean skipSpecial;
    private int[] ids = new int[16];
    private int size;
    private String prefix = "";
    private int prefixIndex;

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecial) {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecial;
    }

    /** Adds one id; returns the new text it completes (often empty while bytes are pending). */
    public String next(int id) {
        if (prefix.isEmpty() && size > 0) {
            String p = decodeWindow();
            if (!endsWithReplacement(p)) {
                prefix = p;
                prefixIndex = size;
            }
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String text = decodeWindow();
        if (text.length() <= prefix.length() || endsWithReplacement(text)) {
            return "";
        }
        String delta = text.startsWith(prefix) ? text.substring(prefix.length()) : text.substring(commonPrefix(text, prefix));
        // keep only the ids after the old prefix as the new window
        int newPrefixIndex = size - prefixIndex;
        System.arraycopy(ids, prefixIndex, ids, 0, newPrefixIndex);
        size = newPrefixIndex;
        prefix = decodeWindow();
        prefixIndex = newPrefixIndex;
        return delta;
    }

    /**
     * Ends the sequence: returns text still held back (an incomplete UTF-8 sequence at the end comes
     * out as U+FFFD, exactly as a full decode shows it). The decoder may be reused afterwards.
     */
    public String finish() {
        String text = decodeWindow();
        String rest = text.length() > prefix.length()
                ? text.substring(text.startsWith(prefix) ? prefix.length() : commonPrefix(text, prefix)) : "";
        size = 0;
        prefix = "";
        prefixIndex = 0;
        return rest;
    }

    private String decodeWindow() {
        return tokenizer.decode(ids, 0, size, skipSpecial);
    }

    private static boolean endsWithReplacement(String s) {
        return !s.isEmpty() && s.charAt(s.length() - 1) == REPLACEMENT;
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
