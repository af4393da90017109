package io.troupe.llm.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A small deterministic BPE trainer over a word-frequency table: repeatedly merges the most
 * frequent adjacent pair (ties broken by the smaller pair of ids), updating pair counts only for
 * the words that contain the merged pair. Good for tens of thousands of merges in well under a
 * second; used by {@link SyntheticTokenizers}. Not thread-safe (one training per instance).
 */
final class BpeTrainer {
    /** The result: token strings by id (initial alphabet first) and the merges in rank order. */
    record Result(List<String> tokens, List<String[]> merges) {
    }

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int[][] words;
    private final int[] freqs;
    private final Map<Long, Integer> pairCounts = new HashMap<>();
    private final Map<Long, IntList> pairWords = new HashMap<>();

    /**
     * @param alphabet the initial single-char tokens, ids 0..n-1 in this order
     * @param wordFreqs words (already in the alphabet's chars) and their frequencies
     */
    BpeTrainer(List<String> alphabet, Map<String, Integer> wordFreqs) {
        this.tokens = new ArrayList<>(alphabet);
        for (int i = 0; i < alphabet.size(); i++) {
            ids.put(alphabet.get(i), i);
        }
        List<String> keys = new ArrayList<>(wordFreqs.keySet());
        keys.sort(null); // deterministic word order whatever map was passed
        words = new int[keys.size()][];
        freqs = new int[keys.size()];
        for (int w = 0; w < keys.size(); w++) {
            String word = keys.get(w);
            int[] sym = new int[word.length()];
            for (int i = 0; i < word.length(); i++) {
                Integer id = ids.get(String.valueOf(word.charAt(i)));
                if (id == null) {
                    throw new IllegalArgumentException("char outside the alphabet: " + word.charAt(i));
                }
                sym[i] = id;
            }
            words[w] = sym;
            freqs[w] = wordFreqs.get(word);
            addPairs(w, +1);
        }
    }

    /** Learns merges until the vocabulary has {@code targetTokens} tokens or no pair is left. */
    Result train(int targetTokens) {
        List<String[]> merges = new ArrayList<>();
        // max count first, then smaller pair key
        PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        pairCounts.forEach((p, c) -> queue.add(new long[] {c, p}));
        while (tokens.size() < targetTokens && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[1];
            int current = pairCounts.getOrDefault(pair, 0);
            if (current <= 0) {
                continue;
            }
            if (current != top[0]) {
                queue.add(new long[] {current, pair});
                continue;
            }
            int left = (int) (pair >>> 32);
            int right = (int) pair;
            String merged = tokens.get(left) + tokens.get(right);
            Integer newId = ids.get(merged);
            if (newId == null) {
                newId = tokens.size();
                tokens.add(merged);
                ids.put(merged, newId);
            }
            merges.add(new String[] {tokens.get(left), tokens.get(right)});
            IntList affected = pairWords.remove(pair);
            pairCounts.remove(pair);
            java.util.Set<Long> touched = new java.util.HashSet<>();
            int lastWord = -1;
            for (int k = 0; affected != null && k < affected.size(); k++) {
                int w = affected.get(k);
                if (w == lastWord) {
                    continue;
                }
                lastWord = w;
                words[w] = mergeInWord(w, left, right, newId, pair, touched);
            }
            for (long p : touched) {
                Integer c = pairCounts.get(p);
                if (c != null && c > 0) {
                    queue.add(new long[] {c, p});
                }
            }
        }
        return new Result(List.copyOf(tokens), merges);
    }

    /** Counts the word's pairs (initial load). */
    private void addPairs(int w, int sign) {
        int[] s = words[w];
        for (int i = 0; i + 1 < s.length; i++) {
            change(pair(s[i], s[i + 1]), sign * freqs[w], w, null);
        }
    }

    /**
     * Merges every (a, b) in word {@code w} and updates only the counts of the neighbouring pairs,
     * as Hugging Face's {@code Word::merge} does; new pairs are registered and reported in
     * {@code touched}.
     */
    private int[] mergeInWord(int w, int a, int b, int newId, long merged, java.util.Set<Long> touched) {
        int[] s = words[w];
        int f = freqs[w];
        IntList out = new IntList(s.length);
        for (int i = 0; i < s.length; ) {
            if (s[i] == a && i + 1 < s.length && s[i + 1] == b) {
                if (out.size() > 0) {
                    int prev = out.get(out.size() - 1);
                    change(pair(prev, a), -f, w, null, merged);
                    change(pair(prev, newId), f, w, touched, merged);
                }
                out.add(newId);
                if (i + 2 < s.length) {
                    change(pair(b, s[i + 2]), -f, w, null, merged);
                    change(pair(newId, s[i + 2]), f, w, touched, merged);
                }
                i += 2;
            } else {
                out.add(s[i]);
                i++;
            }
        }
        return out.size() == s.length ? s : out.toArray();
    }

    private void change(long p, int delta, int w, java.util.Set<Long> touched, long merged) {
        if (p != merged) {
            change(p, delta, w, touched);
        }
    }

    private void change(long p, int delta, int w, java.util.Set<Long> touched) {
        int c = pairCounts.merge(p, delta, Integer::sum);
        if (c == 0) {
            pairCounts.remove(p);
        }
        if (delta > 0) {
            IntList list = pairWords.computeIfAbsent(p, k -> new IntList(4));
            if (list.size() == 0 || list.get(list.size() - 1) != w) {
                list.add(w);
            }
            if (touched != null) {
                touched.add(p);
            }
        }
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }
}
