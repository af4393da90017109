package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import java.util.concurrent.CompletionStage;

/**
 * The head's channel to node agents for bundle two-phase commit. The real one sends Pekko messages to
 * the node agent, which answers from its {@link NodeBundleTable}; tests use scripted fakes. A stage
 * that completes exceptionally (timeout, node unreachable) counts as {@link BundleReply.Rejected}.
 * Implementations may complete stages on any thread: {@link PlacementGroupManager} hops back to its
 * owner executor before touching state.
 */
public interface BundleAgentClient {
  /** Set the bundle's resources aside on {@code node} (see {@link NodeBundleTable#prepare}). */
  CompletionStage<BundleReply> prepare(NodeId node, BundleReservation r);

  /** Make a prepared bundle usable (see {@link NodeBundleTable#commit}). */
  CompletionStage<BundleReply> commit(NodeId node, BundleReservation r);

  /**
   * Release the bundle held under {@code r.attempt()}, prepared or committed, stopping any actors in
   * it (see {@link NodeBundleTable#cancel}). Idempotent; used to abort an attempt, to return a
   * removed group's bundles and to drop bundles a restarted head does not know.
   */
  CompletionStage<BundleReply> cancel(NodeId node, BundleReservation r);
}
