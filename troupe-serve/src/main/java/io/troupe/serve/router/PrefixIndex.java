package io.troupe.serve.router;

import io.troupe.serve.api.ReplicaId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An approximate record of which replica has seen which text prefixes (the router-side twin of the
 * engines' KV prefix caches; Ray Serve LLM's prefix tree, SGLang's approximate radix tree). A routing key
 * is cut into blocks of {@code blockChars} characters; block <i>i</i> is identified by a hash chained over
 * blocks 0..<i>i</i>, so one hash stands for the whole prefix up to that block, as the engine's KV block
 * hashes do. Learning a key for a replica records its (block hash, replica) entries; matching walks the
 * key's blocks while some candidate replica holds them.
 *
 * <p><b>Bounded.</b> At most {@code maxEntries} (block, replica) entries, evicted least recently learnt
 * first. A key's blocks are touched from the last to the first, so a prefix loses its tail before its
 * head (a head evicted first would strand the tail). Entries of replicas that left are dropped with
 * {@link #retain}.
 *
 * <p>Not thread-safe: owned by one router thread.
 */
final class PrefixIndex {
  private final int blockChars;
  private final int maxEntries;
  /** Access-ordered: the eldest entry is the least recently learnt. */
  private final LinkedHashMap<Entry, Boolean> lru = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<Long, Set<ReplicaId>> holders = new HashMap<>();
  private final Map<ReplicaId, Integer> sizes = new HashMap<>();
  private String lastKey;
  private long[] lastChain;

  private record Entry(long block, ReplicaId replica) {
  }

  /**
   * The longest learnt prefix of a key among some replicas.
   *
   * @param matchedChars characters of the key covered by the matched blocks (0: nothing matched)
   * @param replicas the replicas that hold the whole matched prefix (empty when nothing matched)
   */
  record Match(int matchedChars, Set<ReplicaId> replicas) {
  }

  PrefixIndex(int blockChars, int maxEntries) {
    if (blockChars < 1 || maxEntries < 1) {
      throw new IllegalArgumentException("blockChars and maxEntries must be >= 1");
    }
    this.blockChars = blockChars;
    this.maxEntries = maxEntries;
  }

  /** The longest prefix of {@code key} held by one or more of {@code among}. */
  Match match(String key, Set<ReplicaId> among) {
    long[] chain = chain(key);
    Set<ReplicaId> current = Set.of();
    int matched = 0;
    for (int i = 0; i < chain.length; i++) {
      Set<ReplicaId> held = holders.get(chain[i]);
      if (held == null) {
        break;
      }
      Set<ReplicaId> next = new HashSet<>();
      for (ReplicaId r : i == 0 ? among : current) {
        if (held.contains(r)) {
          next.add(r);
        }
      }
      if (next.isEmpty()) {
        break;
      }
      current = next;
      matched = Math.min(key.length(), (i + 1) * blockChars);
    }
    return new Match(matched, Set.copyOf(current));
  }

  /** {@code replica} now holds every prefix of {@code key}. */
  void learn(String key, ReplicaId replica) {
    long[] chain = chain(key);
    for (int i = chain.length - 1; i >= 0; i--) {
      Entry e = new Entry(chain[i], replica);
      if (lru.put(e, Boolean.TRUE) == null) {
        holders.computeIfAbsent(chain[i], k -> new HashSet<>()).add(replica);
        sizes.merge(replica, 1, Integer::sum);
      }
    }
    Iterator<Entry> eldest = lru.keySet().iterator();
    while (lru.size() > maxEntries) {
      Entry e = eldest.next();
      eldest.remove();
      forget(e);
    }
  }

  /** Drops every entry of replicas not in {@code live}. */
  void retain(Set<ReplicaId> live) {
    if (live.containsAll(sizes.keySet())) {
      return;
    }
    Iterator<Entry> it = lru.keySet().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (!live.contains(e.replica())) {
        it.remove();
        forget(e);
      }
    }
  }

  /** Entries (blocks) learnt for {@code replica}. */
  int size(ReplicaId replica) {
    return sizes.getOrDefault(replica, 0);
  }

  /** All (block, replica) entries. */
  int entries() {
    return lru.size();
  }

  /** Replicas with at least one entry. */
  Set<ReplicaId> replicas() {
    return Set.copyOf(sizes.keySet());
  }

  private void forget(Entry e) {
    Set<ReplicaId> held = holders.get(e.block());
    if (held != null && held.remove(e.replica()) && held.isEmpty()) {
      holders.remove(e.block());
    }
    sizes.computeIfPresent(e.replica(), (r, n) -> n == 1 ? null : n - 1);
  }

  /** Chained hashes of the key's blocks (the last block may be shorter). Remembers the last key. */
  private long[] chain(String key) {
    if (key.equals(lastKey)) {
      return lastChain;
    }
    List<Long> out = new ArrayList<>();
    long h = 0x9E3779B97F4A7C15L;
    for (int start = 0; start < key.length(); start += blockChars) {
      int end = Math.min(key.length(), start + blockChars);
      for (int i = start; i < end; i++) {
        h = (h ^ key.charAt(i)) * 0x100000001B3L; // FNV-1a step over the chain's running value
      }
      h = mix(h + end);
      out.add(h);
    }
    long[] chain = out.stream().mapToLong(Long::longValue).toArray();
    lastKey = key;
    lastChain = chain;
    return chain;
  }

  /** MurmurHash3's 64-bit finalizer. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
