package io.troupe.llm.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts added tokens out of the raw input, longest match first at each position, so they are never
 * merged with their surroundings. Candidates are bucketed by first char, so a scan costs one map
 * probe per input char. Matching is done on the raw text (see the known limitation in
 * {@link Tokenizer}: tokens marked {@code normalized: true} are matched before normalization too).
 *
 * <p>Immutable; thread-safe.
 */
final class AddedTokenSplitter {
    /** A piece of input: either plain text ({@code tokenId == -1}) or one added token. */
    record Segment(String text, int tokenId) {
        boolean isToken() {
            return tokenId >= 0;
        }
    }

    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

    AddedTokenSplitter(List<AddedToken> tokens) {
        for (AddedToken t : tokens) {
            if (!t.content().isEmpty()) {
                byFirstChar.computeIfAbsent(t.content().charAt(0), k -> new ArrayList<>()).add(t);
            }
        }
        byFirstChar.values().forEach(l -> l.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed()));
    }

    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>();
        if (byFirstChar.isEmpty()) {
            out.add(new Segment(text, -1));
            return out;
        }
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken hit = match(text, i);
            if (hit == null) {
                i++;
                continue;
            }
            int textEnd = i;
            if (hit.lstrip()) {
                while (textEnd > textStart && Character.isWhitespace(text.charAt(textEnd - 1))) {
                    textEnd--;
                }
            }
            if (textEnd > textStart) {
                out.add(new Segment(text.substring(textStart, textEnd), -1));
            }
            out.add(new Segment(hit.content(), hit.id()));
            i += hit.content().length();
            if (hit.rstrip()) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
            textStart = i;
        }
        if (textStart < text.length()) {
            out.add(new Segment(text.substring(textStart), -1));
        }
        return out;
    }

    private AddedToken match(String text, int at) {
        List<AddedToken> candidates = byFirstChar.get(text.charAt(at));
        if (candidates != null) {
            for (AddedToken t : candidates) {
                if (text.startsWith(t.content(), at)) {
                    return t;
                }
            }
        }
        return null;
    }
}
