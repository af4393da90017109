package io.troupe.llm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The GPT-2 byte-to-unicode table: every byte 0..255 maps to one printable code point, so that
 * byte-level BPE can work on strings. Printable Latin-1 bytes map to themselves; the others are
 * shifted to U+0100 and up (space becomes {@code Ġ}, newline {@code Ċ}).
 *
 * <p>Immutable tables; thread-safe.
 */
final class ByteLevelCodec {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelCodec() {
    }

    /** The printable char standing for byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a char stands for, or -1 when the char is not in the table. */
    static int byteOf(int codePoint) {
        return codePoint >= 0 && codePoint < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[codePoint] : -1;
    }

    /** Maps the UTF-8 bytes of {@code text} to their byte-level chars. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * Maps byte-level chars back to bytes. Chars outside the table (e.g. in added tokens) contribute
     * their own UTF-8 bytes, as the Hugging Face ByteLevel decoder does.
     */
    static void decodeInto(String pieces, ByteArrayOutputStream out) {
        for (int i = 0; i < pieces.length(); ) {
            int cp = pieces.codePointAt(i);
            int b = byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                byte[] raw = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(raw, 0, raw.length);
            }
            i += Character.charCount(cp);
        }
    }
}
