package io.troupe.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model: vocabulary, ranked merges and the merge loop for one pre-tokenized word.
 *
 * <p>Merges are kept in a hash map keyed on the pair of token ids (packed in a long) and valued
 * with rank and result id. A word is merged with a doubly linked list over its symbols and a binary
 * heap of candidate pairs ordered by (rank, position), so long words (SentencePiece models have no
 * pre-tokenizer and see whole sentences) stay O(n log n). Results for short words are cached.
 *
 * <p>Immutable after construction except for the cache, which is a concurrent map: thread-safe.
 */
final class BpeModel {
    private static final int CACHE_MAX_WORD = 64;
    private static final int CACHE_MAX_ENTRIES = 200_000;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final Map<Long, long[]> merges; // (left,right) -> {rank, resultId}
    private final boolean byteFallback;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final int unkId;
    private final String prefix; // continuing_subword_prefix: before every symbol but a word's first ("" = none)
    private final String suffix; // end_of_word_suffix: after a word's last symbol ("" = none)
    private final int[] byteTokenIds = new int[256];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param merges ranked merges, rank = list index, each a pair of token strings; merges whose
     *     parts or result are not in the vocabulary are ignored
     */
    BpeModel(Map<String, Integer> vocab, List<String[]> merges, String unkToken, boolean byteFallback,
             boolean fuseUnk, boolean ignoreMerges) {
        this(vocab, merges, unkToken, byteFallback, fuseUnk, ignoreMerges, "", "");
    }

    /**
     * @param continuingSubwordPrefix put before every initial symbol of a word but the first, and dropped from the
     *     right part when two symbols merge ({@code ""} or {@code null}: none, as in Qwen2's tokenizer.json)
     * @param endOfWordSuffix put after the last initial symbol of a word ({@code ""} or {@code null}: none)
     */
    BpeModel(Map<String, Integer> vocab, List<String[]> merges, String unkToken, boolean byteFallback,
             boolean fuseUnk, boolean ignoreMerges, String continuingSubwordPrefix, String endOfWordSuffix) {
        this.prefix = continuingSubwordPrefix == null ? "" : continuingSubwordPrefix;
        this.suffix = endOfWordSuffix == null ? "" : endOfWordSuffix;
        this.vocab = Map.copyOf(vocab);
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.idToToken = new String[maxId + 1];
        vocab.forEach((t, id) -> idToToken[id] = t);
        this.merges = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer a = vocab.get(m[0]);
            Integer b = vocab.get(m[1]);
            String right = !prefix.isEmpty() && m[1].startsWith(prefix) ? m[1].substring(prefix.length()) : m[1];
            Integer r = vocab.get(m[0] + right);
            if (a != null && b != null && r != null) {
                this.merges.putIfAbsent(pair(a, b), new long[] {rank, r});
            }
        }
        this.byteFallback = byteFallback;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
        this.unkId = unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1);
        for (int b = 0; b < 256; b++) {
            byteTokenIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
        }
    }

    int size() {
        return idToToken.length;
    }

    Integer tokenToId(String token) {
        return vocab.get(token);
    }

    String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    /** Appends the ids of one pre-tokenized word to {@code out}. */
    void encodeWord(String word, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        if (word.length() <= CACHE_MAX_WORD) {
            int[] cached = cache.get(word);
            if (cached == null) {
                cached = merge(word);
                if (cache.size() >= CACHE_MAX_ENTRIES) {
                    cache.clear();
                }
                cache.put(word, cached);
            }
            out.addAll(cached);
        } else {
            out.addAll(merge(word));
        }
    }

    private int[] merge(String word) {
        IntList symbols = new IntList(word.length());
        boolean lastWasUnk = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int n = Character.charCount(cp);
            String symbol = word.substring(i, i + n);
            if (i > 0 && !prefix.isEmpty()) {
                symbol = prefix + symbol;
            }
            if (i + n == word.length() && !suffix.isEmpty()) {
                symbol = symbol + suffix;
            }
            Integer id = vocab.get(symbol);
            i += n;
            if (id != null) {
                symbols.add(id);
                lastWasUnk = false;
                continue;
            }
            if (byteFallback) {
                byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    all &= byteTokenIds[b & 0xFF] >= 0;
                }
                if (all) {
                    for (byte b : bytes) {
                        symbols.add(byteTokenIds[b & 0xFF]);
                    }
                    lastWasUnk = false;
                    continue;
                }
            }
            if (unkId < 0) {
                throw new TokenizerException("no token for " + new String(Character.toChars(cp))
                        + " and the model has neither byte fallback nor an unk token");
            }
            if (!(fuseUnk && lastWasUnk)) {
                symbols.add(unkId);
            }
            lastWasUnk = true;
        }
        return mergeSymbols(symbols.toArray());
    }

    /** Runs the ranked merges over a symbol sequence; package-private for the trainer tests. */
    int[] mergeSymbols(int[] ids) {
        int n = ids.length;
        if (n < 2) {
            return ids;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            long[] m = merges.get(pair(ids[i], ids[i + 1]));
            if (m != null) {
                heap.push((m[0] << 32) | i);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = next[pos];
            if (ids[pos] < 0 || right < 0) {
                continue;
            }
            long[] m = merges.get(pair(ids[pos], ids[right]));
            if (m == null || m[0] != rank) {
                continue; // stale entry: a neighbour was merged since
            }
            ids[pos] = (int) m[1];
            ids[right] = -1;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                long[] l = merges.get(pair(ids[prev[pos]], ids[pos]));
                if (l != null) {
                    heap.push((l[0] << 32) | prev[pos]);
                }
            }
            if (next[pos] >= 0) {
                long[] r = merges.get(pair(ids[pos], ids[next[pos]]));
                if (r != null) {
                    heap.push((r[0] << 32) | pos);
                }
            }
        }
        IntList out = new IntList(n);
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
        return out.toArray();
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) {
                    break;
                }
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= v) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
