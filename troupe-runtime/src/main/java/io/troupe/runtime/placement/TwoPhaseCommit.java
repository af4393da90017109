package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.placement.GroupRecord.Attempt;
import io.troupe.runtime.placement.GroupRecord.BundleRecord;
import io.troupe.runtime.placement.GroupRecord.Phase;
import io.troupe.runtime.resources.ResourceLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Drives bundle reservation with the node agents: prepare on every chosen node, then (after the
 * commit decision is persisted) commit. A refused or timed-out prepare aborts the attempt: prepared
 * bundles are cancelled and the group backs off. A refused or timed-out commit loses only that
 * bundle, which is re-reserved as in RESCHEDULING. Replies for an attempt that is no longer current
 * are answered with a cancel, so nothing leaks.
 *
 * <p>Not thread-safe: owner thread only. Client stages may complete on any thread; their results
 * are handed to the owner executor before any state is touched.
 */
final class TwoPhaseCommit {
  private final ManagerState s;
  private final Consumer<GroupRecord> onCreated;

  TwoPhaseCommit(ManagerState s, Consumer<GroupRecord> onCreated) {
    this.s = s;
    this.onCreated = onCreated;
  }

  /** Starts an attempt for the bundles in {@code nodes}; reserves them tentatively in the view. */
  void start(GroupRecord g, Map<Integer, NodeId> nodes, Instant now) {
    long id = ++s.attemptSeq;
    Attempt a = new Attempt(id, new LinkedHashSet<>(nodes.keySet()), now.plus(s.config.prepareTimeout()));
    g.inflight = a;
    for (Map.Entry<Integer, NodeId> e : nodes.entrySet()) {
      BundleRecord b = g.bundles[e.getKey()];
      b.node = e.getValue();
      b.attempt = id;
      b.phase = Phase.PREPARING;
      s.cluster.reserve(b.node, b.bundle.resources());
      s.indexNode(b.node, g.id);
    }
    for (int i : new ArrayList<>(a.indices)) {
      if (g.inflight != a || a.committing) {
        return;
      }
      BundleRecord b = g.bundles[i];
      NodeId node = b.node;
      BundleReservation r = b.reservation(g.id);
      pipe(s.agents.prepare(node, r), reply -> onPrepareReply(g.id, r, node, reply));
    }
  }

  private void pipe(CompletionStage<BundleReply> stage, Consumer<BundleReply> handler) {
    stage.whenComplete((reply, error) -> s.owner.execute(() -> handler.accept(
        error != null ? new BundleReply.Rejected(String.valueOf(error)) : reply)));
  }

  void onPrepareReply(PlacementGroupId id, BundleReservation r, NodeId node, BundleReply reply) {
    GroupRecord g = s.groups.get(id);
    Attempt a = g == null ? null : g.inflight;
    if (a == null || a.id != r.attempt() || a.committing || g.bundles[r.index()].phase != Phase.PREPARING) {
      if (reply instanceof BundleReply.Ok) {
        s.agents.cancel(node, r); // stale: nobody counts on it any more
      }
      return;
    }
    BundleRecord b = g.bundles[r.index()];
    switch (reply) {
      case BundleReply.Ok ok -> {
        b.phase = Phase.PREPARED;
        b.allocation = ok.allocation();
        if (--a.outstanding == 0) {
          decideCommit(g, a);
        }
      }
      case BundleReply.Rejected rj -> abort(g, "prepare of bundle " + r.index() + " on node " + node
          + " refused: " + rj.reason(), s.clock.instant());
    }
  }

  /** All prepared: persist the decision, then commit everywhere. */
  private void decideCommit(GroupRecord g, Attempt a) {
    a.committing = true;
    a.outstanding = a.indices.size();
    g.state = PlacementGroupState.PREPARED;
    s.persist(g);
    s.listener.stateChanged(g.id, g.state, "committing");
    for (int i : new ArrayList<>(a.indices)) {
      if (g.inflight != a) {
        return;
      }
      BundleRecord b = g.bundles[i];
      NodeId node = b.node;
      BundleReservation r = b.reservation(g.id);
      pipe(s.agents.commit(node, r), reply -> onCommitReply(g.id, r, node, reply));
    }
  }

  void onCommitReply(PlacementGroupId id, BundleReservation r, NodeId node, BundleReply reply) {
    GroupRecord g = s.groups.get(id);
    Attempt a = g == null ? null : g.inflight;
    BundleRecord b = g == null ? null : g.bundles[r.index()];
    if (a == null || a.id != r.attempt() || !a.committing || b.phase != Phase.PREPARED || !node.equals(b.node)) {
      boolean stillOurs = b != null && !g.state.terminal() && node.equals(b.node) && b.attempt == r.attempt()
          && b.phase == Phase.COMMITTED;
      if (reply instanceof BundleReply.Ok && !stillOurs) {
        s.agents.cancel(node, r);
      }
      return;
    }
    switch (reply) {
      case BundleReply.Ok ok -> {
        b.phase = Phase.COMMITTED;
        b.allocation = ok.allocation();
        b.ledger = ResourceLedger.over(ok.allocation());
      }
      case BundleReply.Rejected rj -> lose(g, b, "commit on node " + node + " refused: " + rj.reason());
    }
    if (--a.outstanding == 0) {
      finish(g, s.clock.instant());
    }
  }

  /** Gives up an attempt still preparing: cancel what was (or may be) prepared, back off. */
  void abort(GroupRecord g, String reason, Instant now) {
    Attempt a = g.inflight;
    if (a == null) {
      return;
    }
    g.inflight = null;
    for (int i : a.indices) {
      BundleRecord b = g.bundles[i];
      if (b.phase == Phase.PREPARING || b.phase == Phase.PREPARED) {
        s.cluster.unreserve(b.node, b.bundle.resources());
        s.agents.cancel(b.node, b.reservation(g.id));
        b.clear();
      }
    }
    g.failures++;
    g.nextTryAt = s.backoff(now, g.failures);
    g.reason = "reservation attempt failed (" + reason + "); retrying";
    g.state = g.kept().isEmpty() ? PlacementGroupState.PENDING : PlacementGroupState.RESCHEDULING;
  }

  /** A prepared or committed bundle is gone from the head's books; tell its node to drop it. */
  void lose(GroupRecord g, BundleRecord b, String reason) {
    s.cluster.unreserve(b.node, b.bundle.resources());
    s.agents.cancel(b.node, b.reservation(g.id));
    b.clear();
    g.reason = reason;
  }

  /** Every commit answered: CREATED, or RESCHEDULING for the bundles lost on the way. */
  void finish(GroupRecord g, Instant now) {
    g.inflight = null;
    if (g.unplaced().isEmpty()) {
      g.state = PlacementGroupState.CREATED;
      g.failures = 0;
      g.reason = "";
      s.persist(g);
      onCreated.accept(g);
    } else {
      g.state = PlacementGroupState.RESCHEDULING;
      g.nextTryAt = now;
      s.persist(g);
    }
  }

  /** Enforces {@link PlacementConfig#prepareTimeout()} on the group's attempt. */
  void expire(GroupRecord g, Instant now) {
    Attempt a = g.inflight;
    if (a == null || now.isBefore(a.deadline)) {
      return;
    }
    if (!a.committing) {
      List<NodeId> slow = new ArrayList<>();
      for (int i : a.indices) {
        if (g.bundles[i].phase == Phase.PREPARING) {
          slow.add(g.bundles[i].node);
        }
      }
      abort(g, "no prepare answer within " + s.config.prepareTimeout() + " from " + slow, now);
      return;
    }
    for (int i : a.indices) {
      BundleRecord b = g.bundles[i];
      if (b.phase == Phase.PREPARED) {
        lose(g, b, "no commit answer within " + s.config.prepareTimeout() + " from node " + b.node);
      }
    }
    finish(g, now);
  }

  /** Returns every bundle of a group that is going away (removed or failed). */
  void releaseAll(GroupRecord g) {
    g.inflight = null;
    for (BundleRecord b : g.bundles) {
      if (b.phase != Phase.NONE && b.parentIndex < 0) {
        s.cluster.unreserve(b.node, b.bundle.resources());
        s.agents.cancel(b.node, b.reservation(g.id));
      }
      b.clear();
    }
  }
}
