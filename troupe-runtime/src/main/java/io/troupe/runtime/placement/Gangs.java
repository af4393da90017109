package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.placement.GroupRecord.ActorRecord;
import io.troupe.runtime.placement.GroupRecord.BundleRecord;
import io.troupe.runtime.placement.GroupRecord.Phase;
import io.troupe.runtime.resources.Allocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiConsumer;

/**
 * Actors inside groups: admission against a bundle's reserved resources (never the node's free
 * pool; no room is an error at once), and the gang failure policy: stop all, bump the epoch,
 * re-reserve, recreate all in bundle order after a back-off, FAILED when the restart budget is spent.
 * Not thread-safe: owner thread only.
 */
final class Gangs {
  private final ManagerState s;
  private final BiConsumer<GroupRecord, String> fail;

  Gangs(ManagerState s, BiConsumer<GroupRecord, String> fail) {
    this.s = s;
    this.fail = fail;
  }

  ActorPlacement place(ActorId actor, GroupRecord g, PlacementGroupId id, OptionalInt index, ResourceSet demand,
      Object args) {
    if (g == null) {
      return new ActorPlacement.Rejected("unknown placement group " + id
          + Optional.ofNullable(s.tombstones.get(id)).map(r -> ": " + r).orElse(""));
    }
    if (g.state.terminal()) {
      return new ActorPlacement.Rejected(g.label() + " is " + g.state + ": " + g.reason);
    }
    int n = g.bundles.length;
    if (index.isPresent() && (index.getAsInt() < 0 || index.getAsInt() >= n)) {
      return new ActorPlacement.Rejected("bundle index " + index.getAsInt() + " is out of range: " + g.label()
          + " has " + n + " bundle(s), indices 0.." + (n - 1));
    }
    ActorRecord existing = g.actors.get(actor);
    if (existing != null) {
      BundleRecord b = g.bundles[existing.bundleIndex()];
      return new ActorPlacement.Placed(b.node, b.index, g.epoch, existing.allocation());
    }
    if (g.gangPending != null) {
      return new ActorPlacement.NotReady(g.label() + " is restarting its gang (epoch " + g.epoch + ")");
    }
    List<Integer> candidates = new ArrayList<>();
    if (index.isPresent()) {
      candidates.add(index.getAsInt());
    } else {
      for (int i = 0; i < n; i++) {
        candidates.add(i);
      }
    }
    StringBuilder why = new StringBuilder();
    boolean anyReady = false;
    for (int i : candidates) {
      BundleRecord b = g.bundles[i];
      if (b.phase != Phase.COMMITTED || b.ledger == null) {
        continue;
      }
      anyReady = true;
      Optional<Allocation> a = b.ledger.allocate(demand);
      if (a.isPresent()) {
        g.actors.put(actor, new ActorRecord(actor, i, demand, args, a.get()));
        s.actorGroup.put(actor, g.id);
        return new ActorPlacement.Placed(b.node, i, g.epoch, a.get());
      }
      why.append(why.length() == 0 ? "" : "; ").append("bundle ").append(i).append(" has ")
          .append(b.ledger.available()).append(" left of ").append(b.ledger.total());
    }
    if (!anyReady) {
      return new ActorPlacement.NotReady(g.label() + (index.isPresent() ? " bundle " + index.getAsInt() : "")
          + " is not reserved yet (" + g.state + ": " + g.reason + ")");
    }
    return new ActorPlacement.Rejected("actor " + actor + " needs " + demand + " but " + g.label() + " has no room: "
        + why);
  }

  /** An actor died ({@code gangFailure}) or was removed; frees its share and maybe restarts the gang. */
  void actorDied(ActorId actor, String cause, Instant now, boolean gangFailure) {
    PlacementGroupId id = s.actorGroup.get(actor);
    GroupRecord g = id == null ? null : s.groups.get(id);
    if (g == null) {
      s.actorGroup.remove(actor);
      return;
    }
    ActorRecord r = g.actors.remove(actor);
    if (r == null) {
      return; // already stopped by a gang restart, or of an older epoch
    }
    BundleRecord b = g.bundles[r.bundleIndex()];
    if (b.ledger != null) {
      b.ledger.release(r.allocation());
    }
    if (gangFailure && g.spec.gang().isPresent()) {
      List<ActorRecord> members = new ArrayList<>(List.of(r));
      restart(g, "actor " + actor + " died: " + cause, List.of(), now, members);
    } else {
      s.actorGroup.remove(actor);
    }
  }

  /** Restarts the gang; {@code extra} are members already dead (their allocations are gone). */
  void restart(GroupRecord g, String cause, List<Integer> lostBundles, Instant now, List<ActorRecord> extra) {
    Optional<GangPolicy> policy = g.spec.gang();
    if (policy.isEmpty() || g.state.terminal()) {
      return;
    }
    List<ActorRecord> members = new ArrayList<>(extra);
    if (g.gangPending != null) {
      members.addAll(g.gangPending);
    }
    List<ActorId> stop = new ArrayList<>();
    for (ActorRecord r : g.actors.values()) {
      BundleRecord b = g.bundles[r.bundleIndex()];
      if (b.ledger != null) {
        b.ledger.release(r.allocation());
      }
      stop.add(r.actor());
      members.add(r);
    }
    g.actors.clear();
    if (members.isEmpty() && g.gangPending == null) {
      return; // no members yet: nothing to restart
    }
    g.epoch++;
    g.gangRestarts++;
    g.lastGangRestart = new io.troupe.runtime.api.PlacementGroupInfo.GangRestart(g.epoch, now, cause,
        lostBundles);
    if (!stop.isEmpty()) {
      s.listener.stopActors(g.id, stop, "gang restart of " + g.label() + " to epoch " + g.epoch + ": " + cause);
    }
    if (g.gangRestarts > policy.get().maxRestarts()) {
      // Every member dies with the group, also those already stopped (the one that failed): failing the group
      // stops its pending members too.
      g.gangPending = members;
      fail.accept(g, g.label() + " FAILED: gang restart budget of " + policy.get().maxRestarts()
          + " used up; last failure: " + cause);
      return;
    }
    members.sort(Comparator.comparingInt(ActorRecord::bundleIndex));
    g.gangPending = members;
    g.gangRestartAt = now.plus(policy.get().backoff(g.gangRestarts));
    g.reason = "gang restarting at epoch " + g.epoch + " after: " + cause;
    s.persist(g);
  }

  /** Recreates a pending gang once the group is CREATED and its back-off has passed. */
  void recreateIfDue(GroupRecord g, Instant now) {
    if (g.gangPending == null || g.state != PlacementGroupState.CREATED || now.isBefore(g.gangRestartAt)) {
      return;
    }
    List<GangMember> out = new ArrayList<>();
    for (ActorRecord r : g.gangPending) {
      BundleRecord b = g.bundles[r.bundleIndex()];
      Optional<Allocation> a = b.ledger.allocate(r.demand());
      if (a.isEmpty()) {
        fail.accept(g, g.label() + " FAILED: member " + r.actor() + " no longer fits bundle " + b.index);
        return;
      }
      g.actors.put(r.actor(), new ActorRecord(r.actor(), r.bundleIndex(), r.demand(), r.creationArgs(), a.get()));
      s.actorGroup.put(r.actor(), g.id);
      out.add(new GangMember(r.actor(), r.bundleIndex(), r.demand(), r.creationArgs(), b.node, g.epoch, a.get()));
    }
    g.gangPending = null;
    g.gangRestartAt = null;
    s.listener.recreateGang(g.id, g.epoch, out);
  }
}
