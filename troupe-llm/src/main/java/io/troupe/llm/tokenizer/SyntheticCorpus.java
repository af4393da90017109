package io.troupe.llm.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic English-like training text for synthetic tokenizers: a fixed paragraph of real
 * English plus sentences drawn (with a fixed-seed LCG) from common words and made-up syllable
 * words, so that even large vocabularies have enough distinct pairs to learn. Stateless.
 */
final class SyntheticCorpus {
    private static final String PARAGRAPH = """
            The quick brown fox jumps over the lazy dog. A model server keeps many replicas of a model \
            ready, routes each request to one of them, and streams the answer back token by token. \
            When the queue grows, the autoscaler adds replicas; when it shrinks, it removes them. \
            Hello, world! How are you today? I'm fine, thanks; we've been testing the tokenizer, \
            and it's working well. Numbers like 42, 1234 and 3.14159 appear in text too, as do \
            dates (2024-06-01), e-mail addresses (someone@example.com) and code: for (int i = 0; i < n; i++) {}.
            """;

    private static final String[] COMMON = ("the of and to a in is that it was for on are as with his they at be this "
            + "from have or by one had not but what all were when we there can an your which their said if do will "
            + "each about how up out them then she many some so these would other into has more her two like him see "
            + "time could no make than first been its who now people my made over did down only way find use may water "
            + "long little very after words called just where most know get through back much go good new write our me "
            + "man too any day same right look think also around another came come work three word must because does "
            + "part even place well such here take why things help put years different away again off went old number "
            + "great tell men say small every found still between name should home big give air line set own under read "
            + "last never us left end along while might next sound below saw something thought both few those always "
            + "looked show large often together asked house world going want school important until form food keep "
            + "children feet land side without boy once animals life enough took sometimes four head above kind began "
            + "almost live page got earth need far hand high year mother light parts country father let night following "
            + "picture being study second eyes soon times story boys since white days ever paper hard near sentence "
            + "better best across during today others however sure means knew its try told young miles sun ways thing "
            + "whole hear example heard several change answer room sea against top turned learn point city play toward "
            + "five using himself usually model server request token stream replica queue cluster node actor").split(" ");

    private static final String[] ONSETS = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
        "v", "w", "z", "th", "st", "ch", "sh", "br", "tr", "pl", "gr"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "y", "ea", "ou", "ai"};
    private static final String[] CODAS = {"", "", "n", "r", "s", "t", "l", "m", "ng"};
    private static final String[] ENDS = {".", ".", ".", ",", "?", "!", ";", ":"};

    private SyntheticCorpus() {
    }

    /** About {@code sentences} sentences of text after the fixed paragraph. */
    static List<String> lines(int sentences) {
        List<String> out = new ArrayList<>();
        for (int rep = 0; rep < 4; rep++) {
            out.add(PARAGRAPH);
        }
        long seed = 0x5DEECE66DL;
        for (int s = 0; s < sentences; s++) {
            StringBuilder sb = new StringBuilder();
            seed = next(seed);
            int n = 4 + (int) ((seed >>> 33) % 9);
            for (int w = 0; w < n; w++) {
                seed = next(seed);
                long r = seed >>> 20;
                String word;
                if (r % 10 < 5) {
                    // Zipf-like pick among common words: favour the front of the list
                    int k = (int) ((r >>> 8) % COMMON.length);
                    word = COMMON[(int) ((long) k * k / COMMON.length)];
                } else if (r % 10 < 9) {
                    word = madeUp(r >>> 8);
                } else {
                    word = Long.toString((r >>> 8) % 2000);
                }
                if (w == 0) {
                    word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                } else {
                    sb.append(' ');
                }
                sb.append(word);
            }
            sb.append(ENDS[(int) ((seed >>> 40) % ENDS.length)]).append(s % 5 == 4 ? '\n' : ' ');
            out.add(sb.toString());
        }
        return out;
    }

    private static String madeUp(long r) {
        StringBuilder sb = new StringBuilder();
        int syllables = 1 + (int) (r % 3) + (int) ((r >>> 2) % 3);
        r >>>= 3;
        for (int i = 0; i < syllables; i++) {
            sb.append(ONSETS[(int) (r % ONSETS.length)]);
            r /= ONSETS.length;
            sb.append(VOWELS[(int) (r % VOWELS.length)]);
            r /= VOWELS.length;
            sb.append(CODAS[(int) (r % CODAS.length)]);
            r /= CODAS.length;
            if (r < 1000) {
                r = r * 2654435761L + 12345 + i;
            }
        }
        return sb.toString();
    }

    private static long next(long seed) {
        return (seed * 0x5DEECE66DL + 0xBL) & ((1L << 48) - 1);
    }
}
