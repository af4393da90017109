package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.placement.GroupRecord.BundleRecord;
import io.troupe.runtime.placement.GroupRecord.Phase;
import io.troupe.runtime.resources.Allocation;
import io.troupe.runtime.resources.ResourceLedger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Nested groups are carved, not requested: a group created inside a group takes its bundles out of
 * the parent's unused bundle capacity (the parent bundles' ledgers, GPU ids included), with the
 * strategy applied to the parent bundles' nodes. Pure accounting on the head: no 2PC, no cluster
 * resources. Not thread-safe: owner thread only.
 */
final class NestedCarver {
  private final ManagerState s;

  NestedCarver(ManagerState s) {
    this.s = s;
  }

  /** Carves every bundle of {@code child} or throws naming the parent, what is free and what was asked. */
  void carve(GroupRecord parent, GroupRecord child) {
    if (parent.state != PlacementGroupState.CREATED) {
      throw new PlacementGroupException("cannot create a nested group inside " + parent.label() + ": it is "
          + parent.state + ", not CREATED; nested groups are carved from a created parent");
    }
    Optional<String> err = tryCarve(parent, child, child.unplaced());
    if (err.isPresent()) {
      throw new PlacementGroupException("nested group does not fit inside " + parent.label() + ": " + err.get()
          + ". Free in the parent: " + free(parent) + "; asked for " + child.spec.bundles() + " ("
          + child.spec.strategy() + ")");
    }
  }

  /** Re-carves a RESCHEDULING child's lost bundles after its parent is CREATED again. */
  boolean recarve(GroupRecord parent, GroupRecord child) {
    Optional<String> err = tryCarve(parent, child, child.unplaced());
    if (err.isPresent()) {
      child.reason = "cannot re-carve inside " + parent.label() + ": " + err.get() + "; free: " + free(parent);
      return false;
    }
    child.state = PlacementGroupState.CREATED;
    child.reason = "";
    s.persist(child);
    return true;
  }

  private Optional<String> tryCarve(GroupRecord parent, GroupRecord child, Set<Integer> toPlace) {
    List<Slot> slots = new ArrayList<>();
    List<Integer> slotToParent = new ArrayList<>();
    for (BundleRecord pb : parent.bundles) {
      if (pb.phase == Phase.COMMITTED && pb.ledger != null) {
        slots.add(new Slot("bundle " + pb.index + " on node " + pb.node, pb.node, s.cluster.labels(pb.node),
            pb.ledger.total(), pb.ledger.available()));
        slotToParent.add(pb.index);
      }
    }
    Map<Integer, NodeId> fixed = child.kept();
    PlacementRequest req = new PlacementRequest(child.spec.bundles(), child.spec.strategy(), fixed, toPlace);
    return switch (s.policy.place(req, slots)) {
      case BundlePlacement.Wait w -> Optional.of(w.reason());
      case BundlePlacement.Infeasible i -> Optional.of(i.reason());
      case BundlePlacement.Placed p -> {
        Map<Integer, Allocation> taken = new HashMap<>();
        List<Map.Entry<Integer, Integer>> inOrder = new ArrayList<>(p.slots().entrySet());
        // Scarce first, as the policy placed them, so whole GPUs are taken before fractions.
        inOrder.sort(java.util.Comparator.comparingLong((Map.Entry<Integer, Integer> e) ->
            -child.bundles[e.getKey()].bundle.resources().units(io.troupe.runtime.api.ResourceSet.GPU))
            .thenComparing(Map.Entry::getKey));
        for (Map.Entry<Integer, Integer> e : inOrder) {
          BundleRecord pb = parent.bundles[slotToParent.get(e.getValue())];
          Optional<Allocation> a = pb.ledger.allocate(child.bundles[e.getKey()].bundle.resources());
          if (a.isEmpty()) {
            taken.forEach((ci, alloc) -> parent.bundles[child.bundles[ci].parentIndex].ledger.release(alloc));
            taken.keySet().forEach(ci -> child.bundles[ci].clear());
            yield Optional.of("GPU instances of " + slots.get(e.getValue()).label() + " are too fragmented for bundle "
                + e.getKey());
          }
          taken.put(e.getKey(), a.get());
          BundleRecord cb = child.bundles[e.getKey()];
          cb.parentIndex = pb.index;
          cb.node = pb.node;
          cb.phase = Phase.COMMITTED;
          cb.allocation = a.get();
          cb.ledger = ResourceLedger.over(a.get());
        }
        yield Optional.empty();
      }
    };
  }

  /** Gives a nested group's carved bundles back to its parent's ledgers. */
  void release(GroupRecord child) {
    if (!child.nested()) {
      return;
    }
    GroupRecord parent = s.groups.get(child.spec.parent().get());
    for (BundleRecord cb : child.bundles) {
      if (cb.phase == Phase.COMMITTED && cb.parentIndex >= 0 && parent != null) {
        BundleRecord pb = parent.bundles[cb.parentIndex];
        if (pb.ledger != null) {
          pb.ledger.release(cb.allocation);
        }
      }
      cb.clear();
    }
  }

  private static String free(GroupRecord parent) {
    StringBuilder sb = new StringBuilder();
    for (BundleRecord pb : parent.bundles) {
      sb.append(sb.length() == 0 ? "" : ", ").append("bundle ").append(pb.index).append(' ')
          .append(pb.ledger == null ? "(not reserved)" : pb.ledger.available().toString());
    }
    return sb.toString();
  }
}
