package io.troupe.llm.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * How a rank reaches the other ranks of its group, by linear index ({@code ppRank * tpSize + tpRank}).
 * {@link RankActor} implements it with Troupe actor calls; a scripted fake can stand in for unit tests.
 * A returned future fails when the peer refused (stale epoch), died or could not be reached.
 */
interface RankPeers {
  CompletableFuture<?> contribute(int peer, long epoch, long stepId, int seq, int fromTpRank, float[] part);

  CompletableFuture<?> activations(int peer, long epoch, long stepId, int microBatch, float[] hidden);

  /** The peer for messages, e.g. its actor name. */
  String describe(int peer);
}
