package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.resources.Allocation;
import io.troupe.runtime.resources.ResourceLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Mutable state of one group inside {@link PlacementGroupManager}. Not thread-safe: only the
 * manager's owner thread touches it.
 */
final class GroupRecord {
  /** Phase of one bundle on the head. */
  enum Phase { NONE, PREPARING, PREPARED, COMMITTED }

  /** One bundle: where it is (or is being) reserved, and the head's mirror ledger for actors. */
  static final class BundleRecord {
    final int index;
    final Bundle bundle;
    NodeId node;
    long attempt;
    Phase phase = Phase.NONE;
    Allocation allocation;
    ResourceLedger ledger;
    /** For a nested group: the parent bundle it is carved from; -1 otherwise. */
    int parentIndex = -1;

    BundleRecord(int index, Bundle bundle) {
      this.index = index;
      this.bundle = bundle;
    }

    BundleReservation reservation(PlacementGroupId g) {
      return new BundleReservation(g, index, attempt, bundle.resources());
    }

    void clear() {
      node = null;
      phase = Phase.NONE;
      allocation = null;
      ledger = null;
      parentIndex = -1;
    }
  }

  /** A 2PC attempt in flight over some bundles. */
  static final class Attempt {
    final long id;
    final Set<Integer> indices;
    final Instant deadline;
    boolean committing;
    int outstanding;

    Attempt(long id, Set<Integer> indices, Instant deadline) {
      this.id = id;
      this.indices = indices;
      this.deadline = deadline;
      this.outstanding = indices.size();
    }
  }

  record Waiter(CompletableFuture<PlacementGroupInfo> future, Instant deadline) {}

  record ActorRecord(ActorId actor, int bundleIndex, io.troupe.runtime.api.ResourceSet demand, Object creationArgs,
      Allocation allocation) {}

  final PlacementGroupId id;
  final PlacementGroupSpec spec;
  final long seq;
  final BundleRecord[] bundles;
  PlacementGroupState state = PlacementGroupState.PENDING;
  long epoch;
  int gangRestarts;
  PlacementGroupInfo.GangRestart lastGangRestart; // not persisted
  int failures;
  Instant nextTryAt = Instant.MIN;
  long lastServed;
  String infeasibleReason;
  String reason = "not scheduled yet";
  Attempt inflight;
  final List<Waiter> waiters = new ArrayList<>();
  final Set<PlacementGroupId> children = new LinkedHashSet<>();
  final Map<ActorId, ActorRecord> actors = new LinkedHashMap<>();
  /** Gang members to recreate (bundle order) once CREATED and {@link #gangRestartAt} has passed. */
  List<ActorRecord> gangPending;
  Instant gangRestartAt;

  GroupRecord(PlacementGroupId id, PlacementGroupSpec spec, long seq) {
    this.id = id;
    this.spec = spec;
    this.seq = seq;
    this.bundles = new BundleRecord[spec.bundles().size()];
    for (int i = 0; i < bundles.length; i++) {
      bundles[i] = new BundleRecord(i, spec.bundles().get(i));
    }
  }

  boolean nested() {
    return spec.parent().isPresent();
  }

  boolean schedulable() {
    return inflight == null && infeasibleReason == null && !nested()
        && (state == PlacementGroupState.PENDING || state == PlacementGroupState.RESCHEDULING);
  }

  /** Committed bundles: index to node. */
  Map<Integer, NodeId> kept() {
    Map<Integer, NodeId> m = new HashMap<>();
    for (BundleRecord b : bundles) {
      if (b.phase == Phase.COMMITTED) {
        m.put(b.index, b.node);
      }
    }
    return m;
  }

  Set<Integer> unplaced() {
    Set<Integer> s = new LinkedHashSet<>();
    for (BundleRecord b : bundles) {
      if (b.phase == Phase.NONE) {
        s.add(b.index);
      }
    }
    return s;
  }

  PlacementGroupInfo info() {
    List<PlacementGroupInfo.BundleInfo> bs = new ArrayList<>();
    for (BundleRecord b : bundles) {
      boolean held = b.phase == Phase.COMMITTED;
      bs.add(new PlacementGroupInfo.BundleInfo(b.index, b.bundle, held ? Optional.of(b.node) : Optional.empty(),
          held && b.allocation != null ? b.allocation.gpuIds() : List.of()));
    }
    return new PlacementGroupInfo(id, spec.name(), spec.strategy(), state, epoch, bs,
        state == PlacementGroupState.CREATED ? "" : reason, Optional.ofNullable(lastGangRestart));
  }

  PersistedGroup persisted(long lastAttempt) {
    Map<Integer, PersistedGroup.Placement> m = new HashMap<>();
    for (BundleRecord b : bundles) {
      boolean decided = b.phase == Phase.COMMITTED || (b.phase == Phase.PREPARED && inflight != null && inflight.committing);
      if (decided) {
        m.put(b.index, new PersistedGroup.Placement(b.node, b.attempt, b.parentIndex));
      }
    }
    return new PersistedGroup(id, spec, state, epoch, gangRestarts, m, lastAttempt);
  }

  String label() {
    return "placement group " + id + spec.name().map(n -> " ('" + n + "')").orElse("");
  }
}
