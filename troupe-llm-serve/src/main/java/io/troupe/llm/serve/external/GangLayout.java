package io.troupe.llm.serve.external;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which processes a gang runs and who they are, from where its bundles landed: a pure function. Nodes are numbered
 * in the order of their first bundle, so the node of bundle 0 (where the replica runs) is node rank 0 and hosts the
 * leader. {@code per_node}: one process per node owning every bundle there; {@code per_rank}: one per bundle.
 */
public final class GangLayout {
  private GangLayout() {}

  /** Bundle {@code index} of the group: on {@code node} (address {@code host}) with {@code gpuIds}. */
  public record BundleAt(int index, String node, String host, List<String> gpuIds) {
    public BundleAt {
      gpuIds = List.copyOf(gpuIds);
    }
  }

  /** One process: its node rank, its bundles, its index among the node's processes. */
  public record Planned(int nodeRank, int localRank, List<BundleAt> bundles) {
    public String node() {
      return bundles.get(0).node();
    }

    public String host() {
      return bundles.get(0).host();
    }

    /** The bundle whose actor starts this process (the first). */
    public int launcherBundle() {
      return bundles.get(0).index();
    }
  }

  /** The processes of a gang over {@code bundles} (in index order), leader first. */
  public static List<Planned> plan(List<BundleAt> bundles, String launch) {
    Map<String, List<BundleAt>> byNode = new LinkedHashMap<>();
    for (BundleAt b : bundles) {
      byNode.computeIfAbsent(b.node(), k -> new ArrayList<>()).add(b);
    }
    List<Planned> out = new ArrayList<>();
    int nodeRank = 0;
    for (List<BundleAt> here : byNode.values()) {
      if (launch.equals(EngineSpec.PER_RANK)) {
        for (int i = 0; i < here.size(); i++) {
          out.add(new Planned(nodeRank, i, List.of(here.get(i))));
        }
      } else {
        out.add(new Planned(nodeRank, 0, here));
      }
      nodeRank++;
    }
    return out;
  }

  /**
   * The slot of each planned process: {@code ports[i]} is process {@code i}'s port (free on its node),
   * {@code masterPort} a free port on the leader's node.
   */
  public static List<ProcessSlot> slots(List<Planned> plan, int[] ports, int masterPort, String modelSource,
      String modelId, long epoch, boolean followersForLeader) {
    int nnodes = plan.stream().mapToInt(Planned::nodeRank).max().orElse(0) + 1;
    int world = plan.stream().mapToInt(p -> p.bundles().size()).sum();
    String masterAddr = plan.get(0).host();
    List<String> followers = new ArrayList<>();
    if (followersForLeader) {
      for (int i = 1; i < plan.size(); i++) {
        followers.add(plan.get(i).host() + ":" + ports[i]);
      }
    }
    List<ProcessSlot> out = new ArrayList<>();
    Map<Integer, Integer> ranksBeforeNode = new LinkedHashMap<>(); // node rank -> ranks on lower node ranks
    int seen = 0;
    for (Planned p : plan) {
      if (!ranksBeforeNode.containsKey(p.nodeRank())) {
        ranksBeforeNode.put(p.nodeRank(), seen);
      }
      seen += p.bundles().size();
    }
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      List<String> gpus = new ArrayList<>();
      p.bundles().forEach(b -> gpus.addAll(b.gpuIds()));
      int firstRankHere = ranksBeforeNode.get(p.nodeRank());
      // per_rank: the bundle index is the rank; per_node: the node's ranks are numbered after the lower nodes'
      int rank = p.bundles().size() == 1 && plan.size() == world ? p.bundles().get(0).index() : firstRankHere;
      int ranksHere = p.bundles().size();
      out.add(new ProcessSlot(p.nodeRank(), nnodes, rank, p.localRank(), world, ranksHere, firstRankHere, p.host(),
          ports[i], masterAddr, masterPort, modelSource, modelId, gpus, epoch, i == 0 ? followers : List.of()));
    }
    return out;
  }
}
