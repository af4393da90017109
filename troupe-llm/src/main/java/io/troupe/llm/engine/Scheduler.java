package io.troupe.llm.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Iteration-level scheduling: every step, running sequences (oldest first) get their next tokens — one
 * for decoding, a chunk for an unfinished prefill — within the step's token budget; then waiting
 * sequences join while budget, sequence slots and KV blocks last. When blocks run out, the newest
 * running sequence is preempted: its blocks are released and it goes back to the head of the queue, to
 * be recomputed (prompt and output so far) later. Nothing of another sequence is ever overwritten.
 *
 * <p>Threading: owned by the engine's step thread; not thread-safe.
 */
final class Scheduler {
  /** {@code count} tokens of {@code seq} starting at position {@code start}. */
  record Chunk(Sequence seq, int start, int count) {
    boolean completesKnownTokens() {
      return start + count == seq.length;
    }
  }

  private final BlockManager blocks;
  private final EngineConfig config;
  private final Deque<Sequence> waiting = new ArrayDeque<>();
  private final List<Sequence> running = new ArrayList<>(); // sorted by id = arrival order
  private long preemptions;

  Scheduler(BlockManager blocks, EngineConfig config) {
    this.blocks = blocks;
    this.config = config;
  }

  void add(Sequence s) {
    waiting.addLast(s);
  }

  int runningCount() {
    return running.size();
  }

  int waitingCount() {
    return waiting.size();
  }

  long preemptions() {
    return preemptions;
  }

  boolean idle() {
    return running.isEmpty() && waiting.isEmpty();
  }

  List<Sequence> all() {
    List<Sequence> all = new ArrayList<>(running);
    all.addAll(waiting);
    return all;
  }

  /** Removes a sequence wherever it is and frees its blocks; false if unknown. */
  boolean remove(Sequence s) {
    boolean found = running.remove(s) || waiting.remove(s);
    if (found) {
      freeBlocks(s);
    }
    return found;
  }

  /** The chunks of the next step (empty when idle or nothing fits). */
  List<Chunk> schedule() {
    List<Chunk> out = new ArrayList<>();
    int budget = config.maxBatchTokens();
    boolean preempted = false;
    for (int i = 0; i < running.size() && budget > 0; i++) {
      Sequence s = running.get(i);
      int n = Math.min(s.length - s.computed, budget);
      while (!reserve(s, s.computed + n)) {
        Sequence victim = running.get(running.size() - 1);
        preempt(victim);
        preempted = true;
        if (victim == s) {
          break;
        }
      }
      if (running.contains(s)) {
        out.add(new Chunk(s, s.computed, n));
        budget -= n;
      }
    }
    while (!preempted && budget > 0 && !waiting.isEmpty() && running.size() < config.maxRunningSeqs()) {
      Sequence s = waiting.peekFirst();
      if (s.blocks.isEmpty()) {
        // reuse cached full blocks, leaving at least one token to compute so there are logits to sample
        List<Integer> hit = blocks.matchPrefix(java.util.Arrays.copyOf(s.tokens, s.length), s.length - 1);
        for (int b : hit) {
          s.blocks.add(b);
          long parent = s.blockHashes.isEmpty() ? 0 : s.blockHashes.get(s.blockHashes.size() - 1);
          s.blockHashes.add(BlockManager.chainHash(parent, s.tokens, s.blockHashes.size() * blocks.blockSize(),
              blocks.blockSize()));
        }
        s.computed = hit.size() * blocks.blockSize();
      }
      int n = Math.min(s.length - s.computed, budget);
      if (!reserve(s, s.computed + n)) {
        if (running.isEmpty() && blocks.blocksFor(s.computed + n) > blocks.totalBlocks()) {
          throw new IllegalStateException("unreachable: oversized sequences are refused at submit");
        }
        freeBlocks(s); // give the prefix hits back; retry next step
        break;
      }
      waiting.pollFirst();
      insertRunning(s);
      out.add(new Chunk(s, s.computed, n));
      budget -= n;
    }
    return out;
  }

  /** Ensures blocks for positions {@code [0, positions)}; false (allocating nothing more) if not enough. */
  private boolean reserve(Sequence s, int positions) {
    int need = blocks.blocksFor(positions) - s.blocks.size();
    if (need > blocks.availableBlocks()) {
      return false;
    }
    for (int i = 0; i < need; i++) {
      s.blocks.add(blocks.allocate());
    }
    return true;
  }

  private void preempt(Sequence s) {
    running.remove(s);
    freeBlocks(s);
    waiting.addFirst(s);
    preemptions++;
  }

  private void freeBlocks(Sequence s) {
    for (int b : s.blocks) {
      blocks.release(b);
    }
    s.blocks.clear();
    s.blockHashes.clear();
    s.computed = 0;
  }

  private void insertRunning(Sequence s) {
    int i = 0;
    while (i < running.size() && running.get(i).id < s.id) {
      i++;
    }
    running.add(i, s);
  }

  /** After a step computed a chunk: advance and commit newly full blocks to the prefix cache. */
  void computed(Chunk c) {
    Sequence s = c.seq();
    s.computed = c.start() + c.count();
    int bs = blocks.blockSize();
    while (s.blockHashes.size() < s.computed / bs) {
      int b = s.blockHashes.size();
      long parent = b == 0 ? 0 : s.blockHashes.get(b - 1);
      s.blockHashes.add(blocks.commitFull(s.blocks.get(b), parent, s.tokens, b * bs));
    }
  }

  /** A finished sequence leaves the batch; its blocks are released (cached ones stay reusable). */
  void finish(Sequence s) {
    running.remove(s);
    waiting.remove(s);
    freeBlocks(s);
  }

  /** The running batch, oldest first. */
  List<Sequence> running() {
    return List.copyOf(running);
  }
}
