package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.placement.GroupRecord.ActorRecord;
import io.troupe.runtime.placement.GroupRecord.BundleRecord;
import io.troupe.runtime.placement.GroupRecord.Phase;
import io.troupe.runtime.scheduling.NodeView;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The head's placement-group manager (Ray's GCS placement group manager + scheduler), free of Pekko.
 *
 * <p><b>Threading.</b> Single-threaded and event-driven: every public method must be called on one
 * owner thread (the control-service actor). Replies of {@link BundleAgentClient} stages are handed to
 * the injected owner {@link Executor} (in Pekko: a message to self), never applied on the replying
 * thread. {@link #tick(Instant)} serves the pending queue, enforces timeouts, expires waiters and
 * restarts gangs; call it periodically and at {@link #nextWakeup()}. It never throws.
 *
 * <p><b>Authority.</b> This class is authoritative for the groups (spec, state, epoch, where each
 * bundle is decided to be) and persists them through {@link PlacementGroupStore}; node agents
 * ({@link NodeBundleTable}) are authoritative for what they hold. {@link #recover} and
 * {@link #reconcileNode} bring the two together: decided bundles are committed, anything else is
 * cancelled, so nothing leaks and nothing is booked twice.
 *
 * <p><b>Scheduling.</b> PENDING and RESCHEDULING groups are tried in a fair order (least recently
 * tried first; up to {@link PlacementConfig#rescheduleBurst()} RESCHEDULING groups per PENDING one),
 * with exponential back-off after a failed try. Several 2PC attempts may be in flight; their bundles
 * are deducted from the view while they are, and an attempt that is not answered in time is aborted.
 * Infeasible groups are parked with their reason until a node joins.
 */
public final class PlacementGroupManager {
  private static final System.Logger LOG = System.getLogger(PlacementGroupManager.class.getName());

  private final ManagerState s;
  private final TwoPhaseCommit tpc;
  private final NestedCarver carver;
  private final Gangs gangs;

  public PlacementGroupManager(PlacementConfig config, BundleAgentClient agents, PlacementGroupStore store,
      PlacementGroupListener listener, InstantSource clock, RandomGenerator random, Executor owner) {
    s = new ManagerState(config, agents, store, listener, clock, random, owner);
    gangs = new Gangs(s, this::fail);
    carver = new NestedCarver(s);
    tpc = new TwoPhaseCommit(s, this::onCreated);
  }

  // ---------------------------------------------------------------- nodes

  /** A node joined (or came back): parked infeasible groups are tried again. */
  public void onNodeAdded(NodeId node, ResourceSet total, Map<String, String> labels) {
    s.cluster.add(node, total, labels);
    Instant now = s.clock.instant();
    for (GroupRecord g : s.groups.values()) {
      if (g.infeasibleReason != null) {
        g.infeasibleReason = null;
        g.failures = 0;
        g.nextTryAt = now;
      }
    }
  }

  /** Resources used on the node outside placement groups (plain actors), as the control service sees them. */
  public void onNodeUsage(NodeId node, ResourceSet usedOutsideGroups) {
    s.cluster.setExternalUsage(node, usedOutsideGroups);
  }

  /**
   * A node died: groups with bundles there lose only those bundles and go RESCHEDULING (served
   * promptly); gang groups restart; bundles of nested children carved there are lost too.
   */
  public void onNodeDead(NodeId node) {
    Instant now = s.clock.instant();
    s.cluster.markDead(node);
    Set<PlacementGroupId> ids = s.byNode.remove(node);
    if (ids == null) {
      return;
    }
    for (PlacementGroupId id : new ArrayList<>(ids)) {
      GroupRecord g = s.groups.get(id);
      if (g == null || g.state.terminal()) {
        continue;
      }
      try {
        loseNode(g, node, now);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "node death handling failed for " + id, e);
      }
    }
  }

  private void loseNode(GroupRecord g, NodeId node, Instant now) {
    List<Integer> lost = new ArrayList<>();
    for (BundleRecord b : g.bundles) {
      if (b.phase != Phase.NONE && node.equals(b.node)) {
        lost.add(b.index);
      }
    }
    if (lost.isEmpty()) {
      return;
    }
    GroupRecord.Attempt a = g.inflight;
    if (a != null && !a.committing && lost.stream().anyMatch(a.indices::contains)) {
      tpc.abort(g, "node " + node + " died", now);
    }
    loseBundles(g, lost, "node " + node + " died", now);
  }

  /** Drops the given bundles (their node or parent bundle is gone) and re-reserves them. */
  void loseBundles(GroupRecord g, List<Integer> lost, String cause, Instant now) {
    GroupRecord.Attempt a = g.inflight;
    List<Integer> gone = new ArrayList<>();
    List<ActorRecord> deadMembers = new ArrayList<>();
    for (int i : lost) {
      BundleRecord b = g.bundles[i];
      if (b.phase == Phase.NONE) {
        continue;
      }
      if (a != null && a.committing && a.indices.contains(i) && b.phase == Phase.PREPARED) {
        a.outstanding--;
      }
      g.actors.values().removeIf(r -> {
        if (r.bundleIndex() == i) {
          deadMembers.add(r);
          if (g.spec.gang().isEmpty()) {
            s.actorGroup.remove(r.actor());
          }
          return true;
        }
        return false;
      });
      b.clear();
      gone.add(i);
    }
    for (PlacementGroupId c : g.children) {
      GroupRecord child = s.groups.get(c);
      if (child != null && !child.state.terminal()) {
        List<Integer> carvedThere = new ArrayList<>();
        for (BundleRecord cb : child.bundles) {
          if (cb.phase != Phase.NONE && gone.contains(cb.parentIndex)) {
            carvedThere.add(cb.index);
          }
        }
        if (!carvedThere.isEmpty()) {
          loseBundles(child, carvedThere, "parent " + g.id + " lost bundles " + gone, now);
        }
      }
    }
    if (gone.isEmpty()) {
      return;
    }
    g.reason = cause + "; re-reserving bundles " + gone;
    if (a != null && a.committing && a.outstanding == 0) {
      tpc.finish(g, now);
    } else if (g.inflight == null && !g.state.terminal()) {
      g.state = PlacementGroupState.RESCHEDULING;
      g.failures = 0;
      g.nextTryAt = now;
      s.persist(g);
    }
    s.listener.stateChanged(g.id, g.state, g.reason);
    gangs.restart(g, cause + " (lost bundle" + (gone.size() == 1 ? " " : "s ") + gone + ")", gone, now,
        deadMembers);
  }

  // ---------------------------------------------------------------- groups

  /**
   * Validates and registers a group. A top-level group starts PENDING and is reserved by
   * {@link #tick}; a nested one ({@code spec.parent()} set) is carved out of its parent at once and
   * returned CREATED, or fails here naming the parent, what is free and what was asked.
   *
   * @throws PlacementGroupException for bad input or a nested group that does not fit; nothing is reserved
   */
  public PlacementGroupId create(PlacementGroupSpec spec) {
    SpecValidator.validate(spec, s.names);
    GroupRecord parent = null;
    if (spec.parent().isPresent()) {
      parent = s.groups.get(spec.parent().get());
      if (parent == null || parent.state.terminal()) {
        throw new PlacementGroupException("parent placement group " + spec.parent().get() + " does not exist"
            + (parent == null ? "" : " any more (" + parent.state + ")"));
      }
    }
    PlacementGroupId id;
    do {
      id = PlacementGroupId.of("pg-" + Long.toHexString(s.random.nextLong() & Long.MAX_VALUE));
    } while (s.groups.containsKey(id) || s.tombstones.containsKey(id));
    GroupRecord g = new GroupRecord(id, spec, ++s.groupSeq);
    if (parent != null) {
      carver.carve(parent, g); // throws when it does not fit; nothing taken then
      parent.children.add(id);
      g.state = PlacementGroupState.CREATED;
      g.reason = "";
    }
    s.groups.put(id, g);
    spec.name().ifPresent(n -> s.names.put(n, g.id));
    if (spec.lifetime() == PlacementGroupSpec.Lifetime.OWNER && !spec.owner().isEmpty()) {
      s.byOwner.computeIfAbsent(spec.owner(), k -> new HashSet<>()).add(id);
    }
    s.persist(g);
    return id;
  }

  /** Removes a group and its children: frees the reservation, stops its actors, fails its waiters. */
  public void remove(PlacementGroupId id) {
    end(id, PlacementGroupState.REMOVED, "placement group " + id + " was removed");
  }

  /** The actor or driver that owns non-detached groups died: remove them. */
  public void onOwnerDead(String owner) {
    Set<PlacementGroupId> ids = s.byOwner.remove(owner);
    if (ids != null) {
      ids.forEach(id -> end(id, PlacementGroupState.REMOVED, "placement group " + id + " was removed because its owner "
          + owner + " died"));
    }
  }

  private void fail(GroupRecord g, String reason) {
    end(g.id, PlacementGroupState.FAILED, reason);
  }

  private void end(PlacementGroupId id, PlacementGroupState terminal, String reason) {
    GroupRecord g = s.groups.get(id);
    if (g == null || g.state.terminal()) {
      return;
    }
    for (PlacementGroupId c : new ArrayList<>(g.children)) {
      end(c, PlacementGroupState.REMOVED, "placement group " + c + " was removed with its parent " + id
          + " (" + reason + ")");
    }
    List<ActorId> actors = new ArrayList<>(g.actors.keySet());
    if (g.gangPending != null) {
      // Members waiting for a gang restart that will not come: they are stopped (die) with the group.
      g.gangPending.forEach(r -> {
        s.actorGroup.remove(r.actor());
        if (!actors.contains(r.actor())) {
          actors.add(r.actor());
        }
      });
    }
    actors.forEach(s.actorGroup::remove);
    g.actors.clear();
    g.gangPending = null;
    if (!actors.isEmpty()) {
      s.listener.stopActors(id, actors, reason);
    }
    carver.release(g);
    tpc.releaseAll(g);
    g.state = terminal;
    g.reason = reason;
    g.spec.name().ifPresent(n -> s.names.remove(n, id));
    Set<PlacementGroupId> owned = s.byOwner.get(g.spec.owner());
    if (owned != null) {
      owned.remove(id);
    }
    g.spec.parent().map(s.groups::get).ifPresent(p -> p.children.remove(id));
    for (GroupRecord.Waiter w : g.waiters) {
      w.future().completeExceptionally(new PlacementGroupException(reason));
    }
    g.waiters.clear();
    if (terminal == PlacementGroupState.REMOVED) {
      s.groups.remove(id);
      s.tombstones.put(id, reason);
      s.store.delete(id);
    } else {
      s.persist(g);
    }
    s.listener.stateChanged(id, terminal, reason);
  }

  private void onCreated(GroupRecord g) {
    for (GroupRecord.Waiter w : g.waiters) {
      w.future().complete(g.info());
    }
    g.waiters.clear();
    s.listener.stateChanged(g.id, g.state, "");
    gangs.recreateIfDue(g, s.clock.instant());
    for (PlacementGroupId c : new ArrayList<>(g.children)) {
      GroupRecord child = s.groups.get(c);
      if (child != null && child.state == PlacementGroupState.RESCHEDULING) {
        if (carver.recarve(g, child)) {
          onCreated(child);
        }
      }
    }
  }

  // ---------------------------------------------------------------- queries and waiting

  public Optional<PlacementGroupInfo> info(PlacementGroupId id) {
    return Optional.ofNullable(s.groups.get(id)).map(GroupRecord::info);
  }

  public Optional<PlacementGroupInfo> byName(String name) {
    return Optional.ofNullable(s.names.get(name)).flatMap(this::info);
  }

  public List<PlacementGroupInfo> list() {
    return s.groups.values().stream().map(GroupRecord::info).toList();
  }

  /** Why the group is not CREATED: its state and the last reason (which bundle fits where not). */
  public String notReadyReason(PlacementGroupId id) {
    GroupRecord g = s.groups.get(id);
    if (g == null) {
      return "unknown placement group " + id + Optional.ofNullable(s.tombstones.get(id)).map(r -> ": " + r).orElse("");
    }
    return g.label() + " is " + g.state + (g.infeasibleReason != null ? " (infeasible)" : "") + ": " + g.reason;
  }

  /** Completes with the group's info when CREATED; fails with a clear error if it is removed or fails. */
  public CompletableFuture<PlacementGroupInfo> ready(PlacementGroupId id) {
    return await(id, null);
  }

  /** Like {@link #ready} but fails after {@code timeout} with {@link #notReadyReason} (checked by {@link #tick}). */
  public CompletableFuture<PlacementGroupInfo> ready(PlacementGroupId id, Duration timeout) {
    return await(id, s.clock.instant().plus(timeout));
  }

  private CompletableFuture<PlacementGroupInfo> await(PlacementGroupId id, Instant deadline) {
    GroupRecord g = s.groups.get(id);
    if (g == null || g.state.terminal()) {
      return CompletableFuture.failedFuture(new PlacementGroupException(notReadyReason(id)));
    }
    if (g.state == PlacementGroupState.CREATED) {
      return CompletableFuture.completedFuture(g.info());
    }
    CompletableFuture<PlacementGroupInfo> f = new CompletableFuture<>();
    g.waiters.add(new GroupRecord.Waiter(f, deadline));
    return f;
  }

  /** The epoch members of the group run at; calls from other epochs must be refused. */
  public OptionalInt epochOf(PlacementGroupId id) {
    GroupRecord g = s.groups.get(id);
    return g == null ? OptionalInt.empty() : OptionalInt.of((int) g.epoch);
  }

  /** True when a message stamped {@code epoch} may reach members of the group now. */
  public boolean admits(PlacementGroupId id, long epoch) {
    GroupRecord g = s.groups.get(id);
    return g != null && !g.state.terminal() && g.epoch == epoch;
  }

  /** The scheduler's view of the nodes (available after all placement-group reservations). */
  public List<NodeView> nodeViews() {
    return List.copyOf(s.cluster.views());
  }

  // ---------------------------------------------------------------- actors

  /**
   * Places an actor into the group's bundle {@code bundleIndex} (or any bundle with room), taking its
   * demand from the bundle's reservation. {@code creationArgs} are kept for gang restarts.
   */
  public ActorPlacement placeActor(ActorId actor, PlacementGroupId id, OptionalInt bundleIndex, ResourceSet demand,
      Object creationArgs) {
    return gangs.place(actor, s.groups.get(id), id, bundleIndex, demand, creationArgs);
  }

  /** An actor in a group died: frees its share of the bundle; a gang group restarts all members. */
  public void onActorDied(ActorId actor, String cause) {
    gangs.actorDied(actor, cause, s.clock.instant(), true);
  }

  /** An actor in a group was stopped on purpose: frees its share of the bundle, no gang restart. */
  public void onActorRemoved(ActorId actor) {
    gangs.actorDied(actor, "removed", s.clock.instant(), false);
  }

  /** Whether the group restarts as a gang. */
  public boolean isGang(PlacementGroupId id) {
    GroupRecord g = s.groups.get(id);
    return g != null && g.spec.gang().isPresent();
  }

  /**
   * The bundle physically held on a node for bundle {@code index} of group {@code id}: itself for a
   * top-level group; for a nested group, the root ancestor's bundle it is carved from.
   */
  public Map.Entry<PlacementGroupId, Integer> rootBundle(PlacementGroupId id, int index) {
    GroupRecord g = s.groups.get(id);
    int i = index;
    while (g != null && g.spec.parent().isPresent() && i >= 0 && i < g.bundles.length) {
      int parentIndex = g.bundles[i].parentIndex;
      GroupRecord parent = s.groups.get(g.spec.parent().get());
      if (parent == null || parentIndex < 0) {
        break;
      }
      g = parent;
      i = parentIndex;
    }
    return Map.entry(g == null ? id : g.id, i);
  }

  // ---------------------------------------------------------------- ticking

  /** Serves the queue, enforces timeouts, expires waiters and restarts gangs. Never throws. */
  public void tick(Instant now) {
    for (GroupRecord g : new ArrayList<>(s.groups.values())) {
      try {
        tpc.expire(g, now);
        expireWaiters(g, now);
        gangs.recreateIfDue(g, now);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "tick failed for " + g.id, e);
      }
    }
    for (GroupRecord g : PendingQueue.order(s, now)) {
      try {
        trySchedule(g, now);
      } catch (RuntimeException e) {
        g.failures++;
        g.nextTryAt = s.backoff(now, g.failures);
        g.reason = "scheduling error: " + e;
        LOG.log(System.Logger.Level.ERROR, "scheduling failed for " + g.id, e);
      }
    }
  }

  /** Earliest instant at which {@link #tick} has something to do, if any. */
  public Optional<Instant> nextWakeup() {
    Instant best = null;
    for (GroupRecord g : s.groups.values()) {
      List<Instant> times = new ArrayList<>();
      if (g.schedulable()) {
        times.add(g.nextTryAt);
      }
      if (g.inflight != null) {
        times.add(g.inflight.deadline);
      }
      if (g.gangRestartAt != null && g.gangPending != null) {
        times.add(g.gangRestartAt);
      }
      g.waiters.stream().map(GroupRecord.Waiter::deadline).filter(d -> d != null).forEach(times::add);
      for (Instant t : times) {
        best = best == null || t.isBefore(best) ? t : best;
      }
    }
    return Optional.ofNullable(best);
  }

  private void expireWaiters(GroupRecord g, Instant now) {
    g.waiters.removeIf(w -> {
      if (w.deadline() != null && !now.isBefore(w.deadline())) {
        w.future().completeExceptionally(new PlacementGroupException("not ready in time: " + notReadyReason(g.id)));
        return true;
      }
      return false;
    });
  }

  private void trySchedule(GroupRecord g, Instant now) {
    g.lastServed = ++s.serveSeq;
    PlacementRequest req = PlacementRequest.lost(g.spec.bundles(), g.spec.strategy(), g.kept(), g.unplaced());
    switch (s.policy.place(req, s.cluster.table())) {
      case BundlePlacement.Placed p -> tpc.start(g, p.nodes(), now);
      case BundlePlacement.Wait w -> {
        g.reason = w.reason();
        g.failures++;
        g.nextTryAt = s.backoff(now, g.failures);
      }
      case BundlePlacement.Infeasible inf -> {
        g.infeasibleReason = inf.reason();
        g.reason = "infeasible: " + inf.reason() + "; retried when a node joins";
      }
    }
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Rebuilds state after a head restart from the store and what every live node reports holding
   * (register live nodes with {@link #onNodeAdded} first). Decided bundles found on their node are
   * adopted (and committed if still only prepared); everything else held is cancelled; decided
   * bundles not found are re-reserved. Actors must be re-registered with {@link #placeActor}.
   */
  public void recover(List<PersistedGroup> persisted, Map<NodeId, List<HeldBundle>> held) {
    new Recovery(s, tpc).recover(persisted, held, s.clock.instant());
  }

  /** Periodic anti-entropy with one node: cancels bundles it holds that the head does not count on. */
  public void reconcileNode(NodeId node, List<HeldBundle> held) {
    new Recovery(s, tpc).reconcile(node, held);
  }

  // package-private views for tests and invariants
  ManagerState state() {
    return s;
  }

  List<ActorRecord> actorsOf(PlacementGroupId id) {
    GroupRecord g = s.groups.get(id);
    return g == null ? List.of() : List.copyOf(g.actors.values());
  }
}
