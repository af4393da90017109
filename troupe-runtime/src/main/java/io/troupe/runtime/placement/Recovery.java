package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.placement.GroupRecord.BundleRecord;
import io.troupe.runtime.placement.GroupRecord.Phase;
import io.troupe.runtime.resources.ResourceLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reconciles the head's books with what node agents hold. After a head restart
 * ({@link #recover}): a bundle the store says was decided (PREPARED/CREATED/RESCHEDULING placement)
 * and that its node reports under the same attempt is adopted, and committed if still prepared;
 * every other held bundle is cancelled; decided bundles no node reports are re-reserved. Periodically
 * ({@link #reconcile}): held bundles the head does not count on are cancelled, and committed bundles a
 * node no longer reports are treated as lost. Not thread-safe: owner thread only.
 */
final class Recovery {
  private final ManagerState s;
  private final TwoPhaseCommit tpc;

  Recovery(ManagerState s, TwoPhaseCommit tpc) {
    this.s = s;
    this.tpc = tpc;
  }

  void recover(List<PersistedGroup> persisted, Map<NodeId, List<HeldBundle>> held, Instant now) {
    List<GroupRecord> loaded = new ArrayList<>();
    for (PersistedGroup pg : persisted) {
      s.attemptSeq = Math.max(s.attemptSeq, pg.lastAttempt());
      if (pg.state() == PlacementGroupState.REMOVED || s.groups.containsKey(pg.id())) {
        continue;
      }
      GroupRecord g = new GroupRecord(pg.id(), pg.spec(), ++s.groupSeq);
      g.epoch = pg.epoch();
      g.gangRestarts = pg.gangRestarts();
      g.state = pg.state();
      boolean decided = pg.state() == PlacementGroupState.PREPARED || pg.state() == PlacementGroupState.CREATED
          || pg.state() == PlacementGroupState.RESCHEDULING;
      if (decided) {
        pg.bundles().forEach((i, p) -> {
          if (i >= 0 && i < g.bundles.length) {
            BundleRecord b = g.bundles[i];
            b.node = p.node();
            b.attempt = p.attempt();
            b.parentIndex = p.parentIndex();
          }
        });
      }
      s.groups.put(g.id, g);
      pg.spec().name().ifPresent(n -> s.names.put(n, g.id));
      if (pg.spec().lifetime() == PlacementGroupSpec.Lifetime.OWNER && !pg.spec().owner().isEmpty()) {
        s.byOwner.computeIfAbsent(pg.spec().owner(), k -> new HashSet<>()).add(g.id);
      }
      loaded.add(g);
    }
    for (GroupRecord g : loaded) {
      g.spec.parent().map(s.groups::get).ifPresent(p -> p.children.add(g.id));
    }
    held.forEach((node, bundles) -> {
      for (HeldBundle hb : bundles) {
        GroupRecord g = s.groups.get(hb.group());
        BundleRecord b = g == null || hb.index() < 0 || hb.index() >= g.bundles.length ? null : g.bundles[hb.index()];
        boolean expected = b != null && !g.state.terminal() && !g.nested() && b.phase == Phase.NONE
            && node.equals(b.node) && b.attempt == hb.attempt() && s.cluster.alive(node);
        if (!expected) {
          s.agents.cancel(node, hb.reservation());
          continue;
        }
        adopt(g, b, hb, node);
      }
    });
    for (GroupRecord g : loaded) {
      if (g.state.terminal()) {
        continue;
      }
      if (g.nested()) {
        // Carved bundles are re-carved from the recovered parent (GPU ids may differ from before).
        for (BundleRecord b : g.bundles) {
          b.clear();
        }
        g.state = PlacementGroupState.RESCHEDULING;
        continue;
      }
      for (BundleRecord b : g.bundles) {
        if (b.phase == Phase.NONE) {
          b.clear(); // decided but not found: lost
        }
      }
      g.state = g.unplaced().isEmpty() ? PlacementGroupState.CREATED
          : g.kept().isEmpty() ? PlacementGroupState.PENDING : PlacementGroupState.RESCHEDULING;
      g.reason = g.state == PlacementGroupState.CREATED ? "" : "recovered after a head restart; re-reserving";
      g.nextTryAt = now;
      s.persist(g);
    }
    for (GroupRecord g : loaded) {
      if (g.nested() && !g.state.terminal()) {
        GroupRecord parent = s.groups.get(g.spec.parent().get());
        if (parent != null && parent.state == PlacementGroupState.CREATED) {
          new NestedCarver(s).recarve(parent, g);
        }
      }
    }
  }

  private void adopt(GroupRecord g, BundleRecord b, HeldBundle hb, NodeId node) {
    b.allocation = hb.allocation();
    b.ledger = ResourceLedger.over(hb.allocation());
    b.phase = Phase.COMMITTED;
    s.cluster.reserve(node, b.bundle.resources());
    s.indexNode(node, g.id);
    if (hb.phase() == HeldBundle.Phase.PREPARED) {
      BundleReservation r = hb.reservation();
      PlacementGroupId id = g.id;
      s.agents.commit(node, r).whenComplete((reply, err) -> s.owner.execute(() -> {
        if (err == null && reply instanceof BundleReply.Ok) {
          return;
        }
        GroupRecord cur = s.groups.get(id);
        if (cur != null && !cur.state.terminal()) {
          BundleRecord cb = cur.bundles[r.index()];
          if (cb.phase == Phase.COMMITTED && node.equals(cb.node) && cb.attempt == r.attempt()) {
            tpc.lose(cur, cb, "commit after head restart failed");
            if (cur.inflight == null) {
              cur.state = PlacementGroupState.RESCHEDULING;
              cur.nextTryAt = s.clock.instant();
              s.persist(cur);
            }
          }
        }
      }));
    }
  }

  void reconcile(NodeId node, List<HeldBundle> held) {
    Set<String> reported = new HashSet<>();
    for (HeldBundle hb : held) {
      reported.add(hb.group() + "#" + hb.index() + "@" + hb.attempt());
      GroupRecord g = s.groups.get(hb.group());
      BundleRecord b = g == null || hb.index() < 0 || hb.index() >= g.bundles.length ? null : g.bundles[hb.index()];
      boolean counted = b != null && !g.state.terminal() && b.phase != Phase.NONE && node.equals(b.node)
          && b.attempt == hb.attempt() && b.parentIndex < 0;
      if (!counted) {
        s.agents.cancel(node, hb.reservation());
      }
    }
    Set<PlacementGroupId> ids = s.byNode.get(node);
    if (ids == null) {
      return;
    }
    for (PlacementGroupId id : new ArrayList<>(ids)) {
      GroupRecord g = s.groups.get(id);
      if (g == null || g.state.terminal() || g.inflight != null) {
        continue;
      }
      for (BundleRecord b : g.bundles) {
        if (b.phase == Phase.COMMITTED && b.parentIndex < 0 && node.equals(b.node)
            && !reported.contains(g.id + "#" + b.index + "@" + b.attempt)) {
          tpc.lose(g, b, "node " + node + " no longer holds bundle " + b.index);
          g.state = PlacementGroupState.RESCHEDULING;
          g.nextTryAt = s.clock.instant();
          s.persist(g);
        }
      }
    }
  }
}
