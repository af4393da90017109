package io.troupe.runtime.scheduling;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Chooses a node for a resource demand under a {@link SchedulingStrategy}. A pure function of its
 * inputs (the node views, the preferred node, the random source), so it is tested without a cluster.
 *
 * <p>Feasible (fits a node's totals) is kept apart from available (fits what is free now): a demand
 * that fits no live node's totals is {@link Decision.Infeasible}; one that is feasible but does not
 * fit now is {@link Decision.Wait}.
 */
public final class ActorSchedulingPolicy {
  /** Default: pack until a node's utilisation would pass this, then spread (Ray's default is 0.5). */
  public static final double DEFAULT_SPREAD_THRESHOLD = 0.5;
  /** When spreading, choose at random among this many least-utilised nodes (at least 1). */
  public static final int DEFAULT_TOP_K = 1;

  private final double spreadThreshold;
  private final RandomGenerator random;

  public ActorSchedulingPolicy(double spreadThreshold, RandomGenerator random) {
    this.spreadThreshold = spreadThreshold;
    this.random = random;
  }

  public ActorSchedulingPolicy(RandomGenerator random) {
    this(DEFAULT_SPREAD_THRESHOLD, random);
  }

  /**
   * @param preferred the caller's own node, tried first by the default policy (may be null)
   */
  public Decision schedule(ResourceSet demand, SchedulingStrategy strategy, List<NodeView> nodes,
      NodeId preferred) {
    long gpu = demand.units(ResourceSet.GPU);
    if (gpu > ResourceSet.UNIT && gpu % ResourceSet.UNIT != 0) {
      // No node ledger grants it (see ResourceLedger); placing it would only bounce off the node.
      return new Decision.Infeasible("a GPU demand above 1 must be a whole number, got " + demand.get(ResourceSet.GPU));
    }
    List<NodeView> alive = nodes.stream().filter(NodeView::alive).toList();
    return switch (strategy) {
      case SchedulingStrategy.Default d -> hybrid(demand, alive, preferred, Map.of(), "");
      case SchedulingStrategy.OutsideGroup o -> hybrid(demand, alive, preferred, Map.of(), "");
      case SchedulingStrategy.InPlacementGroup g ->
          throw new IllegalArgumentException("actors in placement groups are placed by the group's manager");
      case SchedulingStrategy.NodeAffinity a -> affinity(demand, a, alive, preferred);
      case SchedulingStrategy.NodeLabels l -> {
        List<NodeView> matching = alive.stream()
            .filter(n -> LabelMatcher.matches(l.hard(), n.labels())).toList();
        if (matching.isEmpty()) {
          yield new Decision.Infeasible("no live node has labels matching " + l.hard());
        }
        yield hybrid(demand, matching, preferred, l.soft(), " with labels " + l.hard());
      }
    };
  }

  private Decision affinity(ResourceSet demand, SchedulingStrategy.NodeAffinity a, List<NodeView> alive,
      NodeId preferred) {
    Optional<NodeView> target = alive.stream().filter(n -> n.nodeId().equals(a.nodeId())).findFirst();
    if (target.isPresent() && demand.fitsIn(target.get().available())) {
      return new Decision.Place(a.nodeId());
    }
    if (a.soft()) {
      return hybrid(demand, alive, preferred, Map.of(), "");
    }
    if (target.isEmpty()) {
      return new Decision.Infeasible("node affinity: node " + a.nodeId() + " is not alive");
    }
    if (!demand.fitsIn(target.get().total())) {
      return new Decision.Infeasible("node affinity: " + demand + " does not fit node " + a.nodeId()
          + " (total " + target.get().total() + ")");
    }
    return new Decision.Wait("node affinity: node " + a.nodeId() + " has only " + target.get().available()
        + " available");
  }

  private Decision hybrid(ResourceSet demand, List<NodeView> nodes, NodeId preferred,
      Map<String, String> softLabels, String what) {
    List<NodeView> feasible = nodes.stream().filter(n -> demand.fitsIn(n.total())).toList();
    if (feasible.isEmpty()) {
      return new Decision.Infeasible("no live node" + what + " can ever hold " + demand + totalsSummary(nodes));
    }
    List<NodeView> available = new ArrayList<>(feasible.stream().filter(n -> demand.fitsIn(n.available())).toList());
    if (available.isEmpty()) {
      return new Decision.Wait("no node" + what + " has " + demand + " available now");
    }
    // Tiers: soft label matches first; nodes without GPUs first for demands without GPUs.
    boolean wantsGpu = demand.has(ResourceSet.GPU);
    int bestTier = available.stream().map(n -> tierKey(n, softLabels, wantsGpu)).min(Integer::compare).orElseThrow();
    List<NodeView> top = new ArrayList<>(available.stream()
        .filter(n -> tierKey(n, softLabels, wantsGpu) == bestTier).toList());
    // Traversal order: preferred node first, then by id (stable), as in Ray's hybrid policy.
    top.sort(Comparator.comparing((NodeView n) -> !n.nodeId().equals(preferred)).thenComparing(NodeView::nodeId));
    for (NodeView n : top) {
      if (n.utilisationAfter(demand) < spreadThreshold) {
        return new Decision.Place(n.nodeId());
      }
    }
    top.sort(Comparator.comparingDouble((NodeView n) -> n.utilisationAfter(demand)).thenComparing(NodeView::nodeId));
    int k = Math.min(Math.max(1, DEFAULT_TOP_K), top.size());
    return new Decision.Place(top.get(k == 1 ? 0 : random.nextInt(k)).nodeId());
  }

  private static int tierKey(NodeView n, Map<String, String> soft, boolean wantsGpu) {
    int labelMiss = soft.size() - LabelMatcher.score(soft, n.labels());
    int gpuPenalty = !wantsGpu && n.total().has(ResourceSet.GPU) ? 1 : 0;
    return labelMiss * 2 + gpuPenalty;
  }

  private static String totalsSummary(List<NodeView> nodes) {
    if (nodes.isEmpty()) {
      return " (no live nodes)";
    }
    StringBuilder sb = new StringBuilder(" (node totals:");
    nodes.stream().limit(5).forEach(n -> sb.append(' ').append(n.nodeId()).append('=').append(n.total()));
    if (nodes.size() > 5) {
      sb.append(" ... ").append(nodes.size() - 5).append(" more");
    }
    return sb.append(')').toString();
  }
}
