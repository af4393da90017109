package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.resources.Allocation;
import io.troupe.runtime.resources.ResourceLedger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node agent's side of placement groups: the bundles this node holds, reserved out of the node's
 * {@link ResourceLedger} (GPU instance ids included) by two-phase commit, and per committed bundle a
 * {@link ResourceLedger#over(Allocation)} from which actors placed in the bundle allocate, so they
 * never touch the node's free pool.
 *
 * <p>Authoritative for what this node holds; the head reconciles against {@link #report()} after a
 * restart. Every operation is idempotent for the same attempt, so retried messages are safe.
 *
 * <p>Not thread-safe: owned by the node agent's thread, like the node ledger it writes.
 */
public final class NodeBundleTable {
  private final ResourceLedger node;
  private final Map<Key, Held> held = new LinkedHashMap<>();
  private final Map<ActorId, ActorSlot> actors = new LinkedHashMap<>();

  private record Key(PlacementGroupId group, int index) {}

  private record ActorSlot(Key bundle, Allocation allocation) {}

  private static final class Held {
    final long attempt;
    final Allocation allocation;
    HeldBundle.Phase phase = HeldBundle.Phase.PREPARED;
    ResourceLedger ledger;

    Held(long attempt, Allocation allocation) {
      this.attempt = attempt;
      this.allocation = allocation;
    }
  }

  /** @param node the node's ledger; this table allocates bundles from it and releases them back */
  public NodeBundleTable(ResourceLedger node) {
    this.node = node;
  }

  /**
   * Sets the bundle's resources aside. Same attempt again: the same allocation. A newer attempt
   * replaces a prepared (never committed) older one. Refused when committed under another attempt,
   * when the attempt is older than the one held, or when the node has no room.
   */
  public BundleReply prepare(BundleReservation r) {
    Key k = new Key(r.group(), r.index());
    Held h = held.get(k);
    if (h != null) {
      if (h.attempt == r.attempt()) {
        return new BundleReply.Ok(h.allocation);
      }
      if (h.attempt > r.attempt()) {
        return new BundleReply.Rejected("stale prepare of " + r + ": attempt " + h.attempt + " is held");
      }
      if (h.phase == HeldBundle.Phase.COMMITTED) {
        return new BundleReply.Rejected("bundle " + r.group() + "#" + r.index() + " is already committed under attempt "
            + h.attempt + "; return it first");
      }
      free(k, h);
    }
    Optional<Allocation> a = node.allocate(r.resources());
    if (a.isEmpty()) {
      return new BundleReply.Rejected("node has " + node.available() + " free (GPU instances " + node.gpuFree()
          + "), bundle " + r.group() + "#" + r.index() + " needs " + r.resources());
    }
    held.put(k, new Held(r.attempt(), a.get()));
    return new BundleReply.Ok(a.get());
  }

  /** Makes a prepared bundle usable by actors. Idempotent; refused when not prepared under that attempt. */
  public BundleReply commit(BundleReservation r) {
    Key k = new Key(r.group(), r.index());
    Held h = held.get(k);
    if (h == null || h.attempt != r.attempt()) {
      return new BundleReply.Rejected("commit of " + r + ": not prepared here"
          + (h == null ? "" : " (attempt " + h.attempt + " is held)"));
    }
    if (h.phase == HeldBundle.Phase.PREPARED) {
      h.phase = HeldBundle.Phase.COMMITTED;
      h.ledger = ResourceLedger.over(h.allocation);
    }
    return new BundleReply.Ok(h.allocation);
  }

  /**
   * Releases the bundle held under {@code r.attempt()} (prepared or committed) and returns the actors
   * that were in it, which the caller stops. Unknown or other attempt: nothing happens (idempotent).
   */
  public List<ActorId> cancel(BundleReservation r) {
    Key k = new Key(r.group(), r.index());
    Held h = held.get(k);
    if (h == null || h.attempt != r.attempt()) {
      return List.of();
    }
    return free(k, h);
  }

  private List<ActorId> free(Key k, Held h) {
    List<ActorId> evicted = new ArrayList<>();
    actors.entrySet().removeIf(e -> {
      if (e.getValue().bundle().equals(k)) {
        evicted.add(e.getKey());
        return true;
      }
      return false;
    });
    held.remove(k);
    node.release(h.allocation);
    return evicted;
  }

  /**
   * Allocates an actor's demand from a committed bundle's own ledger (never the node's free pool).
   * Refused with a reason when the bundle is not committed here or lacks room.
   */
  public BundleReply allocateActor(PlacementGroupId group, int index, ActorId actor, ResourceSet demand) {
    Key k = new Key(group, index);
    Held h = held.get(k);
    if (h == null || h.phase != HeldBundle.Phase.COMMITTED) {
      return new BundleReply.Rejected("bundle " + group + "#" + index + " is not committed on this node");
    }
    if (actors.containsKey(actor)) {
      return new BundleReply.Ok(actors.get(actor).allocation());
    }
    Optional<Allocation> a = h.ledger.allocate(demand);
    if (a.isEmpty()) {
      return new BundleReply.Rejected("actor " + actor + " needs " + demand + " but bundle " + group + "#" + index
          + " has " + h.ledger.available() + " left of " + h.ledger.total());
    }
    actors.put(actor, new ActorSlot(k, a.get()));
    return new BundleReply.Ok(a.get());
  }

  /** Gives an actor's allocation back to its bundle (actor stopped or died). Idempotent. */
  public void releaseActor(ActorId actor) {
    ActorSlot s = actors.remove(actor);
    if (s != null) {
      Held h = held.get(s.bundle());
      if (h != null && h.ledger != null) {
        h.ledger.release(s.allocation());
      }
    }
  }

  /** The committed bundle's ledger (read it; allocate through {@link #allocateActor}). */
  public Optional<ResourceLedger> bundleLedger(PlacementGroupId group, int index) {
    Held h = held.get(new Key(group, index));
    return h == null || h.ledger == null ? Optional.empty() : Optional.of(h.ledger);
  }

  /** Every bundle held here, for the head's reconciliation. */
  public List<HeldBundle> report() {
    List<HeldBundle> r = new ArrayList<>(held.size());
    held.forEach((k, h) -> r.add(new HeldBundle(k.group(), k.index(), h.attempt, h.phase, h.allocation)));
    return r;
  }

  /** The node's own ledger (read only by convention). */
  public ResourceLedger nodeLedger() {
    return node;
  }
}
