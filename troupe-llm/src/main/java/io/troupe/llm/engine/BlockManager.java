package io.troupe.llm.engine;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * Paged KV block accounting with prefix caching. Blocks hold {@code blockSize} positions. A full block
 * whose keys and values are computed is identified by a hash chain over the tokens of all blocks up to
 * and including it ({@link #chainHash}); identical prefixes share blocks, reference-counted. A cached
 * block nobody references stays cached and is evicted least-recently-freed first when a block is needed.
 * A hit is verified on the block's tokens, so a hash collision can never hand out wrong KV.
 *
 * <p>Threading: owned by the engine's step thread; not thread-safe.
 */
public final class BlockManager {
  private final int blockSize;
  private final boolean prefixCaching;
  private final int[] refs;
  private final long[] hashOf;
  private final int[][] tokensOf;                      // tokens of a cached block, for verification
  private final ArrayDeque<Integer> free = new ArrayDeque<>();      // never cached, ready
  private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>(); // cached, unreferenced, LRU first
  private final Map<Long, Integer> cached = new HashMap<>();
  private long lookedUpTokens;
  private long hitTokens;

  public BlockManager(int blocks, int blockSize, boolean prefixCaching) {
    if (blocks < 1 || blockSize < 1) {
      throw new IllegalArgumentException("need at least one block of one position");
    }
    this.blockSize = blockSize;
    this.prefixCaching = prefixCaching;
    this.refs = new int[blocks];
    this.hashOf = new long[blocks];
    this.tokensOf = new int[blocks][];
    for (int b = 0; b < blocks; b++) {
      free.add(b);
    }
  }

  public int blockSize() {
    return blockSize;
  }

  public int totalBlocks() {
    return refs.length;
  }

  /** Blocks that can be handed out now (free or evictable). */
  public int availableBlocks() {
    return free.size() + evictable.size();
  }

  /** Fraction of blocks referenced by some sequence. */
  public double usage() {
    return 1.0 - (double) availableBlocks() / refs.length;
  }

  public double prefixHitRate() {
    return lookedUpTokens == 0 ? 0 : (double) hitTokens / lookedUpTokens;
  }

  /** Prompt tokens looked up in the prefix cache so far. */
  public long prefixQueriedTokens() {
    return lookedUpTokens;
  }

  /** Of those, tokens found cached (their KV was reused, not recomputed). */
  public long prefixHitTokens() {
    return hitTokens;
  }

  /** Blocks needed to hold {@code positions} positions. */
  public int blocksFor(int positions) {
    return (positions + blockSize - 1) / blockSize;
  }

  /** Hash of a full block given its parent's hash (0 for the first block). */
  public static long chainHash(long parent, int[] tokens, int from, int len) {
    long h = parent * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    for (int i = 0; i < len; i++) {
      h = (h ^ tokens[from + i]) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 29;
    }
    return h;
  }

  /**
   * Takes references on the longest cached run of full blocks at the start of {@code tokens}, covering at
   * most {@code maxTokens} positions. Returns their ids, in order (empty without prefix caching).
   */
  public List<Integer> matchPrefix(int[] tokens, int maxTokens) {
    List<Integer> hit = new ArrayList<>();
    if (!prefixCaching) {
      return hit;
    }
    lookedUpTokens += tokens.length;
    long parent = 0;
    for (int b = 0; (b + 1) * blockSize <= maxTokens; b++) {
      long h = chainHash(parent, tokens, b * blockSize, blockSize);
      Integer id = cached.get(h);
      if (id == null || !Arrays.equals(tokensOf[id], 0, blockSize, tokens, b * blockSize, (b + 1) * blockSize)) {
        break;
      }
      acquire(id);
      hit.add(id);
      parent = h;
    }
    hitTokens += (long) hit.size() * blockSize;
    return hit;
  }

  /** A fresh block with one reference, or -1 when none is left. Evicts the LRU cached block if needed. */
  public int allocate() {
    Integer b = free.poll();
    if (b == null) {
      Iterator<Integer> it = evictable.iterator();
      if (!it.hasNext()) {
        return -1;
      }
      b = it.next();
      it.remove();
      cached.remove(hashOf[b]);
      tokensOf[b] = null;
    }
    refs[b] = 1;
    return b;
  }

  /** Drops one reference; an unreferenced block becomes evictable if cached, else free. */
  public void release(int block) {
    if (refs[block] <= 0) {
      throw new IllegalStateException("block " + block + " released more often than taken");
    }
    if (--refs[block] == 0) {
      if (tokensOf[block] != null) {
        evictable.add(block);
      } else {
        free.add(block);
      }
    }
  }

  /**
   * Records that {@code block} is full and computed, holding {@code tokens[from, from+blockSize)} after a
   * prefix with chain hash {@code parent}. Returns the block's chain hash. If an identical block is cached
   * already, this one simply stays private to its sequence.
   */
  public long commitFull(int block, long parent, int[] tokens, int from) {
    long h = chainHash(parent, tokens, from, blockSize);
    if (prefixCaching && tokensOf[block] == null && !cached.containsKey(h)) {
      cached.put(h, block);
      hashOf[block] = h;
      tokensOf[block] = Arrays.copyOfRange(tokens, from, from + blockSize);
    }
    return h;
  }

  private void acquire(int block) {
    if (refs[block]++ == 0) {
      evictable.remove(block);
    }
  }

  /**
   * Forgets every cached prefix, e.g. after the executor lost its KV memory (a rank group restarted). Unreferenced
   * cached blocks become free; referenced ones stay with their sequences but are no longer shared.
   */
  public void forgetCachedPrefixes() {
    for (int b = 0; b < refs.length; b++) {
      if (tokensOf[b] != null) {
        tokensOf[b] = null;
        if (refs[b] == 0) {
          evictable.remove(b);
          free.add(b);
        }
      }
    }
    cached.clear();
  }

  /** Referenced blocks, for invariants in tests. */
  public int referencedBlocks() {
    int n = 0;
    for (int r : refs) {
      n += r > 0 ? 1 : 0;
    }
    return n;
  }
}
