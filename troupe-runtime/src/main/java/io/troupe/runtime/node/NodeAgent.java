package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
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
  private final Map<ActorId, ActorHost> hosts = new ConcurrentHashMap<>();

  /** Creates the agent once its effects exist (they need the Pekko actor). */
  @FunctionalInterface
  public interface Factory {
    NodeAgent create(AgentEffects effects);
  }

  public NodeAgent(NodeId nodeId, ResourceLedger ledger, AgentEffects effects, Supplier<Troupe> client) {
    this.nodeId = nodeId;
    this.ledger = ledger;
    this.effects = effects;
    this.client = client;
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

  public Set<String> hostedKeys() {
    return hosts.values().stream().map(ActorHost::key).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Allocates and constructs an actor. Returns the construction future (the owner pipes its outcome
   * back to {@link #constructed}), or empty when nothing is to be done (duplicate, or no room —
   * already reported).
   */
  public Optional<CompletableFuture<Object>> startActor(ActorSpec spec, int incarnation) {
    ActorHost existing = hosts.get(spec.id());
    if (existing != null) {
      if (existing.incarnation() == incarnation) {
        return Optional.empty();
      }
      stopActor(spec.id(), existing.incarnation(), "replaced by incarnation " + incarnation);
    }
    Optional<Allocation> alloc = ledger.allocate(spec.options().resources());
    if (alloc.isEmpty()) {
      effects.actorStartFailed(spec.id(), incarnation, true,
          "needs " + spec.options().resources() + ", available " + ledger.available());
      return Optional.empty();
    }
    Object[] args;
    try {
      args = (Object[]) PayloadCodec.decode(spec.args());
    } catch (RuntimeException e) {
      ledger.release(alloc.get());
      effects.actorStartFailed(spec.id(), incarnation, false, e.getMessage());
      return Optional.empty();
    }
    Context ctx = new Context(spec.id(), incarnation, nodeId, alloc.get().gpuIds(), client);
    ActorHost host = new ActorHost(spec.id(), incarnation, alloc.get(), ctx, spec.options().maxConcurrency());
    hosts.put(spec.id(), host);
    effects.report(ledger.available(), hostedKeys());
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
    ledger.release(h.allocation());
    effects.report(ledger.available(), hostedKeys());
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
      Supplier<Troupe> client) implements ActorContext {
    @Override
    public Troupe troupe() {
      return client.get();
    }
  }

  ResourceSet available() {
    return ledger.available();
  }
}
