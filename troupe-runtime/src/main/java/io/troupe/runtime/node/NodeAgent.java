package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.placement.BundleReply;
import io.troupe.runtime.placement.BundleReservation;
import io.troupe.runtime.placement.HeldBundle;
import io.troupe.runtime.placement.NodeBundleTable;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.protocol.ActorSpec;
import io.troupe.runtime.protocol.PayloadCodec;
import io.troupe.runtime.resources.Allocation;
import io.troupe.runtime.resources.ResourceLedger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ray's raylet role for one node: the authoritative ledger of this node's resources and the actors
 * hosted here.
 *
 * <p>Threading: the ledger and lifecycle methods are called by one owner thread (the node agent's
 * Pekko actor). The table of hosts is concurrent so the local call path can find an actor without
 * a message hop.
 */
public final class NodeAgent {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  private final NodeId nodeId;
  private final ResourceLedger ledger;
  private final AgentEffects effects;
  private final Supplier<Troupe> client;
  private final ActorLogs logs;
  private final Map<ActorId, ActorHost> hosts = new ConcurrentHashMap<>();
  private final NodeBundleTable bundles;

  /** Creates the agent once its effects exist (they need the Pekko actor). */
  @FunctionalInterface
  public interface Factory {
    NodeAgent create(AgentEffects effects);
  }

  public NodeAgent(NodeId nodeId, ResourceLedger ledger, AgentEffects effects, Supplier<Troupe> client) {
    this(nodeId, ledger, effects, client, ActorLogs.NONE);
  }

  /** An agent whose actors log to the files {@code logs} names. */
  public NodeAgent(NodeId nodeId, ResourceLedger ledger, AgentEffects effects, Supplier<Troupe> client, ActorLogs logs) {
    this.logs = logs;
    this.nodeId = nodeId;
    this.ledger = ledger;
    this.effects = effects;
    this.client = client;
    this.bundles = new NodeBundleTable(ledger);
  }

  public NodeId nodeId() {
    return nodeId;
  }

  public ResourceLedger ledger() {
    return ledger;
  }

  /** The live host of an actor incarnation on this node, for the local call path. */
  public Optional<ActorHost> host(ActorId id) {
    ActorHost h = hosts.get(id);
    return h == null || h.isStopped() ? Optional.empty() : Optional.of(h);
  }

  /** Actor incarnations hosted here and not stopped (any thread; for metrics). */
  public int liveActorCount() {
    return (int) hosts.values().stream().filter(h -> !h.isStopped()).count();
  }

  public Set<String> hostedKeys() {
    return hosts.values().stream().map(ActorHost::key).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Allocates and constructs an actor. Returns the construction future (the owner pipes its outcome
   * back to {@link #constructed}), or empty when nothing is to be done (duplicate, or no room —
   * already reported).
   */
  public Optional<CompletableFuture<Object>> startActor(ActorSpec spec, int incarnation) {
    return startActor(spec, incarnation, null, -1, 0);
  }

  /** As {@link #startActor(ActorSpec, int)}, drawing from a placement-group bundle when {@code group} is set. */
  public Optional<CompletableFuture<Object>> startActor(ActorSpec spec, int incarnation, PlacementGroupId group,
      int bundleIndex, long epoch) {
    ActorHost existing = hosts.get(spec.id());
    if (existing != null) {
      if (existing.incarnation() >= incarnation) {
        return Optional.empty(); // a duplicate, or a stale start of an older incarnation
      }
      stopActor(spec.id(), existing.incarnation(), "replaced by incarnation " + incarnation);
    }
    Optional<Allocation> alloc;
    if (group != null) {
      BundleReply r = bundles.allocateActor(group, bundleIndex, spec.id(), spec.options().resources());
      if (r instanceof BundleReply.Rejected rej) {
        effects.actorStartFailed(spec.id(), incarnation, false, rej.reason());
        return Optional.empty();
      }
      alloc = Optional.of(((BundleReply.Ok) r).allocation());
    } else {
      alloc = ledger.allocate(spec.options().resources());
      if (alloc.isEmpty()) {
        effects.actorStartFailed(spec.id(), incarnation, true,
            "needs " + spec.options().resources() + ", available " + ledger.available());
        return Optional.empty();
      }
    }
    Object[] args;
    try {
      args = (Object[]) PayloadCodec.decode(spec.args());
    } catch (RuntimeException e) {
      if (group != null) {
        bundles.releaseActor(spec.id());
      } else {
        ledger.release(alloc.get());
      }
      effects.actorStartFailed(spec.id(), incarnation, false, e.getMessage());
      return Optional.empty();
    }
    boolean capture = !(spec.options().strategy() instanceof SchedulingStrategy.InPlacementGroup g)
        || g.captureChildren();
    Context ctx = new Context(spec.id(), incarnation, nodeId, alloc.get().gpuIds(), client,
        Optional.ofNullable(group), bundleIndex, epoch, group != null && capture);
    ActorHost host = new ActorHost(spec.id(), incarnation, alloc.get(), ctx, spec.options().maxConcurrency(),
        group != null, logs.fileFor(spec.id(), spec.options().name()));
    hosts.put(spec.id(), host);
    effects.reportDue();
    return Optional.of(host.construct(spec.className(), args == null ? new Object[0] : args));
  }

  /** The constructor finished ({@code error} null) or failed. */
  public void constructed(ActorId id, int incarnation, Throwable error) {
    ActorHost h = hosts.get(id);
    if (h == null || h.incarnation() != incarnation) {
      return;
    }
    if (error == null) {
      log.info("actor {} (incarnation {}) is alive on {}", id, incarnation, nodeId);
      effects.actorStarted(id, incarnation);
    } else {
      log.warn("actor {} constructor failed: {}", id, error.toString());
      remove(h, "constructor failed");
      effects.actorStartFailed(id, incarnation, false, describe(error));
    }
  }

  public void stopActor(ActorId id, int incarnation, String reason) {
    ActorHost h = hosts.get(id);
    if (h != null && h.incarnation() == incarnation) {
      log.info("stopping actor {} on {}: {}", id, nodeId, reason);
      remove(h, reason);
    }
  }

  private void remove(ActorHost h, String reason) {
    hosts.remove(h.id(), h);
    h.stop(reason);
    if (h.logFile() != null) {
      logs.released(h.logFile());
    }
    if (h.inGroup()) {
      bundles.releaseActor(h.id());
    } else {
      ledger.release(h.allocation());
    }
    effects.reportDue();
  }

  /** Sends this node's resources to the control service (now; changes only ask for it via reportDue). */
  public void report() {
    effects.report(ledger.available(), usedOutsideGroups(), hostedKeys(), bundles.report());
  }

  /** Bundles held here, for (re-)registration. */
  public List<HeldBundle> heldBundles() {
    return bundles.report();
  }

  /** What actors outside placement groups hold: total less free less reserved bundles. */
  public ResourceSet usedOutsideGroups() {
    ResourceSet used = ledger.total().minusSaturating(ledger.available());
    for (HeldBundle b : bundles.report()) {
      used = used.minusSaturating(b.allocation().resources());
    }
    return used;
  }

  // ---- placement-group bundles (two-phase commit with the head) ----------------------------

  public BundleReply prepareBundle(BundleReservation r) {
    BundleReply reply = bundles.prepare(r);
    effects.reportDue();
    return reply;
  }

  public BundleReply commitBundle(BundleReservation r) {
    return bundles.commit(r);
  }

  /** Releases a bundle and stops the actors in it. */
  public BundleReply cancelBundle(BundleReservation r) {
    for (ActorId a : bundles.cancel(r)) {
      ActorHost h = hosts.get(a);
      if (h != null) {
        hosts.remove(a, h);
        h.stop("placement group bundle " + r.group() + "#" + r.index() + " released");
      }
    }
    effects.reportDue();
    return new BundleReply.Ok(Allocation.NONE);
  }

  /** Stops every actor (node shutdown). */
  public void stopAll(String reason) {
    for (ActorHost h : List.copyOf(hosts.values())) {
      remove(h, reason);
    }
  }

  static String describe(Throwable t) {
    return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private record Context(ActorId actorId, int incarnation, NodeId nodeId, List<String> gpuIds,
      Supplier<Troupe> client, Optional<PlacementGroupId> placementGroup, int bundleIndex, long epoch,
      boolean capturesChildren) implements ActorContext {
    @Override
    public Troupe troupe() {
      return client.get();
    }
  }
}
