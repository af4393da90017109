package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.protocol.ActorSpec;
import io.troupe.runtime.scheduling.ActorSchedulingPolicy;
import io.troupe.runtime.scheduling.Decision;
import io.troupe.runtime.scheduling.NodeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.placement.ActorPlacement;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's control state (Ray's GCS role): node table, resource view, actor directory and the
 * queue of actors waiting for a node.
 *
 * <p>Threading: not thread-safe. Exactly one owner (the control-service Pekko actor on the head)
 * calls it, one message at a time; it is the single writer of this state. Node agents stay
 * authoritative for their own resources: the view here is their last report less starts in flight.
 * Effects go out through {@link ControlEffects}.
 */
public final class ControlService {
  private static final Logger log = LoggerFactory.getLogger(ControlService.class);

  private final ControlEffects effects;
  private final ActorSchedulingPolicy policy;
  private GroupPlacer groups = GroupPlacer.NONE;
  private ControlStore store = ControlStore.inMemory();
  private final Map<NodeId, NodeRecord> nodes = new LinkedHashMap<>();
  private final Map<ActorId, ActorRecord> actors = new LinkedHashMap<>();
  private final Map<String, ActorId> names = new HashMap<>();
  /** Actors waiting for a node, in creation order (the scheduling queue). */
  private final java.util.TreeMap<Long, ActorRecord> waiting = new java.util.TreeMap<>();
  private long seq;

  public ControlService(ControlEffects effects, ActorSchedulingPolicy policy) {
    this.effects = effects;
    this.policy = policy;
  }

  /** Where actor records are persisted (set once by the owner before use). */
  public void setStore(ControlStore store) {
    this.store = store;
  }

  private void persist(ActorRecord a) {
    try {
      store.saveActor(a.snapshot());
    } catch (RuntimeException e) {
      log.error("cannot persist actor {}: {}", a.spec.id(), e.getMessage());
    }
  }

  /**
   * After a head restart: takes back the persisted actors. One that a live node reports hosting at
   * its incarnation is adopted as ALIVE (not restarted); a group actor's share of its bundle is
   * re-taken; the rest restart (or die) as if their node had died while the head was away.
   */
  public void recover(List<ActorSnapshot> snapshots) {
    for (ActorSnapshot s : snapshots) {
      if (actors.containsKey(s.spec().id())) {
        continue;
      }
      ActorRecord a = new ActorRecord(s.spec(), s.seq());
      seq = Math.max(seq, s.seq() + 1);
      a.state = s.state();
      a.incarnation = s.incarnation();
      a.numRestarts = s.numRestarts();
      a.deathCause = s.deathCause();
      a.bundleIndex = s.bundleIndex();
      actors.put(a.spec.id(), a);
      if (a.state == ActorState.DEAD) {
        continue;
      }
      String name = a.spec.options().name();
      if (name != null) {
        names.put(name, a.spec.id());
      }
      NodeRecord n = s.nodeId() == null ? null : nodes.get(s.nodeId());
      boolean hosted = n != null && n.alive && n.hosted().contains(a.key());
      if (hosted) {
        a.state = ActorState.ALIVE;
        a.nodeId = s.nodeId();
        if (a.group != null && a.bundleIndex >= 0) {
          groups.place(a.spec.id(), a.group, OptionalInt.of(a.bundleIndex), a.spec.options().resources(), a.spec);
        }
        effects.actorChanged(a.info(), a.incarnation);
      } else if (a.group != null && groups.isGang(a.group)) {
        awaitGang(a, "not found on any node after the head restarted");
      } else {
        a.nodeId = null;
        restartOrDie(a, "not found on any node after the head restarted");
      }
      persist(a);
    }
    log.info("recovered {} actors from the control store", snapshots.size());
    schedule();
  }

  /** Connects the placement-group manager (set once by the owner before use). */
  public void setGroupPlacer(GroupPlacer placer) {
    this.groups = placer;
  }

  // ---- nodes -------------------------------------------------------------------------------

  /** A node (re)registers. Actors it reports hosting that we know are adopted as ALIVE. */
  public void registerNode(NodeId id, String address, boolean head, Map<String, String> labels,
      ResourceSet total, List<String> gpuIds, ResourceSet available, Set<String> hosted) {
    NodeRecord previous = nodes.get(id);
    if (previous != null && !previous.alive) {
      log.warn("node {} registered again after it was declared dead; ignoring", id);
      return;
    }
    NodeRecord n = new NodeRecord(id, address, head, labels, total, gpuIds, available, hosted);
    if (previous != null) {
      n.inheritInflight(previous);
    }
    nodes.put(id, n);
    log.info("node {} registered at {} with {}", id, address, total);
    schedule();
  }

  public void resourceReport(NodeId id, ResourceSet available, Set<String> hosted) {
    NodeRecord n = nodes.get(id);
    if (n == null || !n.alive) {
      return;
    }
    n.report(available, hosted);
    for (ActorRecord a : waiting.values()) {
      if (id.equals(a.refusedBy)) {
        a.refusedBy = null;
      }
    }
    schedule();
  }

  /** The node left or was downed: its actors restart elsewhere or die. */
  public void nodeDead(NodeId id, String reason) {
    NodeRecord n = nodes.get(id);
    if (n == null || !n.alive) {
      return;
    }
    n.alive = false;
    n.deathReason = reason;
    n.clearInflight();
    log.warn("node {} is dead: {}", id, reason);
    for (ActorRecord a : actors.values()) {
      if (id.equals(a.nodeId) && a.state != ActorState.DEAD) {
        if (a.group != null && groups.isGang(a.group)) {
          awaitGang(a, "node " + id + " died: " + reason);
        } else if (a.state != ActorState.ALIVE) {
          // Its start was still in flight: it never ran, so this is not a restart.
          a.nodeId = null;
          a.incarnation++;
          a.pendingReason = "node " + id + " died before the actor started; rescheduling";
          waiting.put(a.seq, a);
        } else {
          restartOrDie(a, "node " + id + " died: " + reason);
        }
      }
    }
    groups.ownerDead(id.value());
    schedule();
  }

  /** A gang member lost: it waits, without a node, until the manager recreates the whole gang. */
  private void awaitGang(ActorRecord a, String cause) {
    a.state = ActorState.RESTARTING;
    a.nodeId = null;
    a.incarnation++;
    a.pendingReason = "gang restart of " + a.group + " after: " + cause;
    persist(a);
    effects.actorChanged(a.info(), a.incarnation);
  }

  // ---- placement groups -------------------------------------------------------------------

  /**
   * The manager stopped these actors: a gang restart ({@code restarting}: they wait for
   * {@link #recreateGangMember}) or the group was removed or failed (they are dead).
   */
  public void groupStoppedActors(List<ActorId> ids, String reason, boolean restarting) {
    for (ActorId id : ids) {
      ActorRecord a = actors.get(id);
      if (a == null || a.state == ActorState.DEAD) {
        continue;
      }
      if (a.nodeId != null) {
        effects.stopActor(a.nodeId, id, a.incarnation, reason);
      }
      if (restarting) {
        awaitGang(a, reason);
      } else {
        waiting.remove(a.seq);
        die(a, reason);
      }
    }
  }

  /** Starts one member of a gang again at the new epoch, on the node and bundle the manager chose. */
  public void recreateGangMember(ActorId id, NodeId node, int bundleIndex, long epoch,
      io.troupe.runtime.resources.Allocation allocation) {
    ActorRecord a = actors.get(id);
    if (a == null || a.state == ActorState.DEAD || a.group == null) {
      return;
    }
    if (a.nodeId != null) {
      effects.stopActor(a.nodeId, id, a.incarnation, "gang restart");
      a.incarnation++;
    }
    a.state = ActorState.RESTARTING;
    a.nodeId = node;
    a.numRestarts++;
    a.pendingReason = "gang restart at epoch " + epoch + ": starting on node " + node;
    a.bundleIndex = bundleIndex;
    waiting.remove(a.seq);
    persist(a);
    effects.startActor(node, a.spec, a.incarnation, groups.physical(a.group, bundleIndex), epoch, allocation);
  }

  public Optional<NodeId> nodeByAddress(String address) {
    return nodes.values().stream().filter(n -> n.address.equals(address)).map(n -> n.id).findFirst();
  }

  // ---- actors ------------------------------------------------------------------------------

  /** Registers a new actor and tries to place it. Fails (without effects) if the name is taken. */
  public ActorInfo createActor(ActorSpec spec) {
    if (actors.containsKey(spec.id())) {
      return actors.get(spec.id()).info();
    }
    String name = spec.options().name();
    if (name != null && names.containsKey(name)) {
      throw new IllegalArgumentException("an actor named '" + name + "' already exists ("
          + names.get(name) + "); pick another name or look it up with getActor");
    }
    ActorRecord a = new ActorRecord(spec, seq++);
    actors.put(spec.id(), a);
    waiting.put(a.seq, a);
    persist(a);
    if (name != null) {
      names.put(name, spec.id());
    }
    schedule();
    if (a.group != null && a.state == ActorState.DEAD) {
      throw new IllegalArgumentException(a.deathCause);
    }
    return a.info();
  }

  public Optional<ActorInfo> actor(ActorId id) {
    return Optional.ofNullable(actors.get(id)).map(ActorRecord::info);
  }

  public Optional<ActorId> actorByName(String name) {
    return Optional.ofNullable(names.get(name));
  }

  public int incarnation(ActorId id) {
    ActorRecord a = actors.get(id);
    return a == null ? 0 : a.incarnation;
  }

  public void actorStarted(ActorId id, int incarnation, NodeId node) {
    ActorRecord a = actors.get(id);
    NodeRecord n = nodes.get(node);
    if (n != null) {
      n.removeInflight(ActorRecord.key(id.value(), incarnation));
    }
    if (a == null || a.incarnation != incarnation || a.state == ActorState.DEAD || !node.equals(a.nodeId)) {
      // Killed or moved while starting: the start is stale; undo it on the node.
      effects.stopActor(node, id, incarnation, "stale start");
      return;
    }
    a.state = ActorState.ALIVE;
    a.pendingReason = null;
    persist(a);
    effects.actorChanged(a.info(), a.incarnation);
  }

  public void actorStartFailed(ActorId id, int incarnation, NodeId node, boolean noResources, String error) {
    NodeRecord n = nodes.get(node);
    if (n != null) {
      n.removeInflight(ActorRecord.key(id.value(), incarnation));
    }
    ActorRecord a = actors.get(id);
    if (a == null || a.incarnation != incarnation || a.state == ActorState.DEAD) {
      return;
    }
    if (noResources) {
      a.nodeId = null;
      a.refusedBy = node;
      waiting.put(a.seq, a);
      a.pendingReason = "node " + node + " had no room: " + error;
      schedule();
    } else if (a.group != null && groups.isGang(a.group)) {
      groups.actorDied(id, "constructor failed: " + error);
      awaitGang(a, "constructor of " + a.spec.className() + " failed: " + error);
    } else {
      if (a.group != null) {
        groups.actorRemoved(id);
      }
      die(a, "constructor of " + a.spec.className() + " failed: " + error);
    }
  }

  /**
   * An alive actor incarnation reported a failure: it is stopped on its node, then its gang restarts (in a gang
   * group) or it restarts or dies by its {@code maxRestarts}. Reports about other incarnations are ignored.
   */
  public void actorFailed(ActorId id, int incarnation, String cause) {
    ActorRecord a = actors.get(id);
    if (a == null || a.incarnation != incarnation || a.state != ActorState.ALIVE) {
      return;
    }
    log.warn("actor {} (incarnation {}) failed: {}", id, incarnation, cause);
    if (a.nodeId != null) {
      effects.stopActor(a.nodeId, id, a.incarnation, "failed: " + cause);
      NodeRecord n = nodes.get(a.nodeId);
      if (n != null) {
        n.removeInflight(a.key());
      }
    }
    if (a.group != null && groups.isGang(a.group)) {
      groups.actorDied(id, "failed: " + cause);
      awaitGang(a, "actor " + id + " failed: " + cause);
    } else {
      if (a.group != null) {
        groups.actorRemoved(id);
      }
      restartOrDie(a, "failed: " + cause);
    }
    schedule();
  }

  public void killActor(ActorId id, String reason) {
    ActorRecord a = actors.get(id);
    if (a == null) {
      throw new IllegalArgumentException("no actor " + id);
    }
    if (a.state == ActorState.DEAD) {
      return;
    }
    if (a.nodeId != null) {
      effects.stopActor(a.nodeId, id, a.incarnation, reason);
      NodeRecord n = nodes.get(a.nodeId);
      if (n != null) {
        n.removeInflight(a.key());
      }
    }
    if (a.group != null) {
      groups.actorRemoved(id);
    }
    die(a, reason);
    schedule();
  }

  private void restartOrDie(ActorRecord a, String cause) {
    int max = a.spec.options().maxRestarts();
    if (max == -1 || a.numRestarts < max) {
      a.state = ActorState.RESTARTING;
      a.incarnation++;
      a.numRestarts++;
      a.nodeId = null;
      a.pendingReason = "restarting after: " + cause;
      waiting.put(a.seq, a);
      persist(a);
      effects.actorChanged(a.info(), a.incarnation);
    } else {
      die(a, max == 0 ? cause : cause + " (restarts exhausted: " + a.numRestarts + " of " + max + ")");
    }
  }

  private void die(ActorRecord a, String cause) {
    a.state = ActorState.DEAD;
    a.deathCause = cause;
    waiting.remove(a.seq);
    persist(a);
    String name = a.spec.options().name();
    if (name != null && a.spec.id().equals(names.get(name))) {
      names.remove(name);
    }
    effects.actorChanged(a.info(), a.incarnation);
    groups.ownerDead(a.spec.id().value());
  }

  // ---- scheduling --------------------------------------------------------------------------

  /** Periodic safety net: retries placement of everything still waiting. Never throws. */
  public void tick() {
    try {
      schedule();
    } catch (RuntimeException e) {
      log.error("scheduling pass failed", e);
    }
  }

  private void schedule() {
    if (waiting.isEmpty()) {
      return;
    }
    Map<NodeId, NodeView> views = new LinkedHashMap<>();
    for (NodeRecord n : nodes.values()) {
      if (n.alive) {
        views.put(n.id, n.view());
      }
    }
    for (ActorRecord a : List.copyOf(waiting.values())) {
      ResourceSet demand = a.spec.options().resources();
      if (a.spec.options().strategy() instanceof SchedulingStrategy.InPlacementGroup g) {
        placeInGroup(a, g, demand);
        continue;
      }
      List<NodeView> candidates = new ArrayList<>(views.values());
      if (a.refusedBy != null) {
        candidates.removeIf(v -> v.nodeId().equals(a.refusedBy));
      }
      Decision d = policy.schedule(demand, a.spec.options().strategy(), candidates, a.spec.callerNode());
      if (a.refusedBy != null && !(d instanceof Decision.Place)) {
        continue; // keep "node X had no room" until that node reports again
      }
      switch (d) {
        case Decision.Place p -> {
          NodeRecord n = nodes.get(p.nodeId());
          a.nodeId = p.nodeId();
          a.infeasible = false;
          a.pendingReason = "starting on node " + p.nodeId();
          n.addInflight(a.key(), demand);
          waiting.remove(a.seq);
          persist(a);
          views.put(n.id, n.view());
          effects.startActor(n.id, a.spec, a.incarnation, null, 0, null);
        }
        case Decision.Wait w -> {
          a.pendingReason = w.reason();
          a.infeasible = false;
        }
        case Decision.Infeasible i -> {
          if (!a.infeasible) {
            log.warn("actor {} ({}) is infeasible: {}", a.spec.id(), a.spec.className(), i.reason());
          }
          a.pendingReason = "infeasible: " + i.reason();
          a.infeasible = true;
        }
      }
    }
  }

  private void placeInGroup(ActorRecord a, SchedulingStrategy.InPlacementGroup g, ResourceSet demand) {
    OptionalInt bundle = g.bundleIndex() < 0 ? OptionalInt.empty() : OptionalInt.of(g.bundleIndex());
    ActorPlacement p = groups.place(a.spec.id(), g.group(), bundle, demand, a.spec);
    switch (p) {
      case ActorPlacement.Placed placed -> {
        a.nodeId = placed.node();
        a.infeasible = false;
        a.pendingReason = "starting in bundle " + placed.bundleIndex() + " of " + g.group() + " on node " + placed.node();
        a.bundleIndex = placed.bundleIndex();
        waiting.remove(a.seq);
        persist(a);
        effects.startActor(placed.node(), a.spec, a.incarnation, groups.physical(g.group(), placed.bundleIndex()),
            placed.epoch(), placed.allocation());
      }
      case ActorPlacement.NotReady n -> a.pendingReason = "waiting for placement group " + g.group() + ": " + n.reason();
      case ActorPlacement.Rejected r -> {
        waiting.remove(a.seq);
        die(a, "cannot place into placement group " + g.group() + ": " + r.reason());
      }
    }
  }

  // ---- views -------------------------------------------------------------------------------

  public ClusterStatus status() {
    List<NodeInfo> nodeInfos = nodes.values().stream().map(NodeRecord::info).toList();
    return new ClusterStatus(nodeInfos, demands(false), demands(true));
  }

  private List<ClusterStatus.Demand> demands(boolean infeasible) {
    record Shape(ResourceSet resources, Map<String, String> labels, String group) {
    }
    Map<Shape, int[]> counts = new LinkedHashMap<>();
    Map<Shape, String> reasons = new HashMap<>();
    for (ActorRecord a : waiting.values()) {
      if (a.infeasible == infeasible) {
        SchedulingStrategy st = a.spec.options().strategy();
        Shape s = new Shape(a.spec.options().resources(),
            st instanceof SchedulingStrategy.NodeLabels l ? l.hard() : Map.of(),
            st instanceof SchedulingStrategy.InPlacementGroup g ? g.group().value() : null);
        counts.computeIfAbsent(s, k -> new int[1])[0]++;
        reasons.putIfAbsent(s, a.pendingReason);
      }
    }
    List<ClusterStatus.Demand> out = new ArrayList<>();
    counts.forEach((s, c) -> out.add(new ClusterStatus.Demand("actor", s.resources(), c[0], reasons.get(s),
        s.labels(), s.group())));
    return out;
  }

  public List<ActorInfo> actors() {
    return actors.values().stream().map(ActorRecord::info).toList();
  }
}
