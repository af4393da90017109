package io.troupe.runtime.autoscaler;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.autoscaler.spi.NodeLaunch;
import io.troupe.runtime.scheduling.LabelMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes to launch for pending demand (Ray's {@code resource_demand_scheduler}), as a pure function:
 * {@link #plan} places every demand first on the free room of live nodes and nodes already being launched,
 * then on new nodes of the configured types, and returns how many of each type to launch and which demands no
 * node can meet. Scarce demands go first (GPU before CPU-only, bigger before smaller).
 *
 * <ul>
 *   <li>{@code STRICT_SPREAD}: every bundle on a different node; all or nothing.</li>
 *   <li>{@code STRICT_PACK}: all bundles together on one node whose type fits their sum; all or nothing.</li>
 *   <li>{@code PACK} / {@code SPREAD} (soft) and single actors: bundle by bundle; SPREAD prefers nodes this demand
 *       does not use yet.</li>
 *   <li>Label selectors of bundles must match the node's labels (a new node's: its type's, plus
 *       {@value NodeLaunch#NODE_TYPE_LABEL}).</li>
 *   <li>A new node's type: among the types that fit and still have room under their {@code max_workers} and the
 *       cluster's, the one that wastes least — a type with GPUs is chosen for demand without GPUs only when no
 *       other fits.</li>
 * </ul>
 * A demand no node type and no live node could ever hold is <em>infeasible</em>; one that would need more nodes
 * than the limits allow is <em>at limit</em>. Both are returned with the reason. Stateless and thread-safe.
 */
public final class BinPacking {
  private BinPacking() {
  }

  /** A demand that gets no node, and why. */
  public record Unmet(Demand demand, String reason) {
  }

  /**
   * The decision.
   *
   * @param launches node type name → nodes to launch now
   * @param infeasible demands no node type can meet (fix the demand or add a node type)
   * @param atLimit demands that need nodes beyond {@code max_workers}
   */
  public record Plan(Map<String, Integer> launches, List<Unmet> infeasible, List<Unmet> atLimit) {
    public Plan {
      launches = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(launches));
      infeasible = List.copyOf(infeasible);
      atLimit = List.copyOf(atLimit);
    }

    public int totalLaunches() {
      return launches.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** A node during planning: its free room shrinks as demand is placed on it. */
  private static final class Slot {
    final String id;
    final Optional<String> type;
    final ResourceSet total;
    final Map<String, String> labels;
    final boolean fresh;
    ResourceSet available;

    Slot(String id, Optional<String> type, ResourceSet total, ResourceSet available, Map<String, String> labels,
        boolean fresh) {
      this.id = id;
      this.type = type;
      this.total = total;
      this.available = available;
      this.labels = labels;
      this.fresh = fresh;
    }

    boolean fits(Bundle b) {
      return b.resources().fitsIn(available) && LabelMatcher.matches(b.labelSelector(), labels);
    }
  }

  /** Mutable planning state; {@link #mark}/{@link #rollback} make a strict demand all or nothing. */
  private static final class State {
    final List<Slot> slots = new ArrayList<>();
    final Map<String, Integer> count;
    final Map<String, Integer> launches = new LinkedHashMap<>();
    final Map<String, NodeType> types;
    final int maxWorkers;
    int workers;
    int fresh;

    State(Map<String, NodeType> types, Map<String, Integer> count, int maxWorkers) {
      this.types = types;
      this.count = new HashMap<>(count);
      this.maxWorkers = maxWorkers;
      this.workers = count.values().stream().mapToInt(Integer::intValue).sum();
    }

    record Mark(int slots, List<ResourceSet> available, Map<String, Integer> count, Map<String, Integer> launches,
        int workers) {
    }

    Mark mark() {
      return new Mark(slots.size(), slots.stream().map(s -> s.available).toList(), new HashMap<>(count),
          new LinkedHashMap<>(launches), workers);
    }

    void rollback(Mark m) {
      while (slots.size() > m.slots()) {
        slots.remove(slots.size() - 1);
      }
      for (int i = 0; i < slots.size(); i++) {
        slots.get(i).available = m.available().get(i);
      }
      count.clear();
      count.putAll(m.count());
      launches.clear();
      launches.putAll(m.launches());
      workers = m.workers();
    }

    /** A free slot for {@code b} outside {@code avoid}; live nodes first, then new ones, in order. */
    Optional<Slot> existing(Bundle b, Set<Slot> avoid) {
      for (Slot s : slots) {
        if (!avoid.contains(s) && s.fits(b)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }

    /** A new node of the best type for {@code b}, if the limits allow one. */
    Optional<Slot> launch(Bundle b) {
      if (workers >= maxWorkers) {
        return Optional.empty();
      }
      NodeType best = null;
      double bestScore = Double.MAX_VALUE;
      for (NodeType t : types.values()) {
        if (count.getOrDefault(t.name(), 0) >= t.maxWorkers() || !canHold(t, b)) {
          continue;
        }
        double score = waste(t.resources(), b.resources());
        if (score < bestScore) {
          best = t;
          bestScore = score;
        }
      }
      if (best == null) {
        return Optional.empty();
      }
      count.merge(best.name(), 1, Integer::sum);
      launches.merge(best.name(), 1, Integer::sum);
      workers++;
      Slot s = new Slot("new-" + best.name() + "-" + (fresh++), Optional.of(best.name()), best.resources(),
          best.resources(), labelsOf(best), true);
      slots.add(s);
      return Optional.of(s);
    }
  }

  static Map<String, String> labelsOf(NodeType t) {
    Map<String, String> l = new HashMap<>(t.labels());
    l.put(NodeLaunch.NODE_TYPE_LABEL, t.name());
    return l;
  }

  static boolean canHold(NodeType t, Bundle b) {
    return b.resources().fitsIn(t.resources()) && LabelMatcher.matches(b.labelSelector(), labelsOf(t));
  }

  /**
   * Lower is better: GPUs left idle weigh 1000 each (never take a GPU node for CPU work when another fits), then
   * the fraction of each other resource left unused.
   */
  static double waste(ResourceSet node, ResourceSet demand) {
    double gpuLeft = node.get(ResourceSet.GPU) - demand.get(ResourceSet.GPU);
    double w = demand.get(ResourceSet.GPU) == 0 && node.get(ResourceSet.GPU) > 0 ? 1000 * node.get(ResourceSet.GPU)
        : 10 * gpuLeft;
    for (String r : node.names()) {
      double total = node.get(r);
      if (!r.equals(ResourceSet.GPU) && total > 0) {
        w += (total - demand.get(r)) / total;
      }
    }
    return w;
  }

  /**
   * The nodes to launch for {@code demands}.
   *
   * @param nodes live nodes (free room now) and nodes being launched (their type's room)
   * @param types the worker node types
   * @param running nodes per type now, live or being launched (for {@code max_workers})
   * @param maxWorkers the cluster's {@code max_workers}
   */
  public static Plan plan(List<Demand> demands, List<NodeCapacity> nodes, Map<String, NodeType> types,
      Map<String, Integer> running, int maxWorkers) {
    State st = new State(types, running, maxWorkers);
    for (NodeCapacity n : nodes) {
      st.slots.add(new Slot(n.id(), n.nodeType(), n.total(), n.available(), n.labels(), false));
    }
    List<Demand> ordered = new ArrayList<>(demands);
    ordered.sort(Comparator.comparingDouble((Demand d) -> -sum(d, ResourceSet.GPU))
        .thenComparingDouble(d -> -sum(d, ResourceSet.CPU)).thenComparingInt(d -> -d.bundles().size()));
    List<Unmet> infeasible = new ArrayList<>();
    List<Unmet> atLimit = new ArrayList<>();
    for (Demand d : ordered) {
      State.Mark m = st.mark();
      Optional<String> unplaced = switch (d.strategy()) {
        case STRICT_PACK -> strictPack(st, d);
        case STRICT_SPREAD -> spread(st, d, true);
        case SPREAD -> spread(st, d, false);
        case PACK -> pack(st, d);
      };
      if (unplaced.isPresent()) {
        if (d.strategy().hard()) {
          st.rollback(m);
        }
        Optional<String> never = infeasibleReason(d, nodes, types);
        if (never.isPresent()) {
          infeasible.add(new Unmet(d, never.get()));
        } else {
          atLimit.add(new Unmet(d, unplaced.get()));
        }
      }
    }
    return new Plan(st.launches, infeasible, atLimit);
  }

  private static double sum(Demand d, String resource) {
    return d.bundles().stream().mapToDouble(b -> b.resources().get(resource)).sum();
  }

  private static final String LIMIT = "needs a new node but max_workers (of its node type or of the cluster) is "
      + "reached";

  private static Optional<String> pack(State st, Demand d) {
    Optional<String> failed = Optional.empty();
    for (Bundle b : d.bundles()) {
      Optional<Slot> s = st.existing(b, Set.of()).or(() -> st.launch(b));
      if (s.isPresent()) {
        s.get().available = s.get().available.minus(b.resources());
      } else {
        failed = Optional.of(LIMIT);
      }
    }
    return failed;
  }

  private static Optional<String> spread(State st, Demand d, boolean strict) {
    Set<Slot> used = new HashSet<>();
    List<Bundle> bundles = new ArrayList<>(d.bundles());
    bundles.sort(Comparator.comparingDouble((Bundle b) -> -b.resources().get(ResourceSet.GPU))
        .thenComparingDouble(b -> -b.resources().get(ResourceSet.CPU)));
    Optional<String> failed = Optional.empty();
    for (Bundle b : bundles) {
      Optional<Slot> s = st.existing(b, used).or(() -> st.launch(b));
      if (s.isEmpty() && !strict) {
        s = st.existing(b, Set.of());
      }
      if (s.isEmpty()) {
        failed = Optional.of(strict ? "needs " + d.bundles().size() + " distinct nodes; " + LIMIT : LIMIT);
        if (strict) {
          return failed;
        }
        continue;
      }
      used.add(s.get());
      s.get().available = s.get().available.minus(b.resources());
    }
    return failed;
  }

  private static Optional<String> strictPack(State st, Demand d) {
    Optional<Bundle> all = combined(d);
    if (all.isEmpty()) {
      return Optional.of("its bundles' label selectors conflict");
    }
    Optional<Slot> s = st.existing(all.get(), Set.of()).or(() -> st.launch(all.get()));
    if (s.isEmpty()) {
      return Optional.of("needs one node with " + all.get().resources() + "; " + LIMIT);
    }
    s.get().available = s.get().available.minus(all.get().resources());
    return Optional.empty();
  }

  /** All bundles as one (STRICT_PACK): their resources summed, their selectors merged; empty on a conflict. */
  static Optional<Bundle> combined(Demand d) {
    ResourceSet r = ResourceSet.EMPTY;
    Map<String, String> sel = new HashMap<>();
    for (Bundle b : d.bundles()) {
      r = r.plus(b.resources());
      for (Map.Entry<String, String> e : b.labelSelector().entrySet()) {
        String prior = sel.putIfAbsent(e.getKey(), e.getValue());
        if (prior != null && !prior.equals(e.getValue())) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(new Bundle(r, sel));
  }

  /** Why no node could ever hold {@code d}, or empty when some node type or live node could. */
  static Optional<String> infeasibleReason(Demand d, List<NodeCapacity> nodes, Map<String, NodeType> types) {
    List<Bundle> need = d.strategy() == PlacementStrategy.STRICT_PACK
        ? combined(d).map(List::of).orElse(List.of()) : d.bundles();
    if (need.isEmpty()) {
      return Optional.of("its bundles' label selectors conflict, so no node can hold them together");
    }
    for (Bundle b : need) {
      boolean someType = types.values().stream().anyMatch(t -> canHold(t, b));
      boolean someNode = nodes.stream().anyMatch(n -> b.resources().fitsIn(n.total())
          && LabelMatcher.matches(b.labelSelector(), n.labels()));
      if (!someType && !someNode) {
        return Optional.of("no node type in available_node_types offers " + b.resources()
            + (b.labelSelector().isEmpty() ? "" : " with labels matching " + b.labelSelector())
            + (d.strategy() == PlacementStrategy.STRICT_PACK && d.bundles().size() > 1 ? " (STRICT_PACK: all "
                + d.bundles().size() + " bundles on one node)" : "")
            + "; add such a node type or change the request");
      }
    }
    if (d.strategy() == PlacementStrategy.STRICT_SPREAD) {
      int possible = nodes.size();
      for (NodeType t : types.values()) {
        possible += t.maxWorkers();
      }
      if (possible < d.bundles().size()) {
        return Optional.of("STRICT_SPREAD needs " + d.bundles().size() + " distinct nodes but at most " + possible
            + " can exist (live nodes + every type's max_workers)");
      }
    }
    return Optional.empty();
  }
}
