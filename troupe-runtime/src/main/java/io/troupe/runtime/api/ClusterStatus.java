package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Snapshot of the cluster: nodes, and demands waiting for resources. */
public record ClusterStatus(
    @JsonProperty("nodes") List<NodeInfo> nodes,
    @JsonProperty("pending_demands") List<Demand> pendingDemands,
    @JsonProperty("infeasible_demands") List<Demand> infeasibleDemands) {

  /**
   * Demands of one shape waiting for resources, with why: actors needing {@code resources} on a node whose
   * labels match {@code labelSelector}; {@code placementGroup} names the group they wait for when they run in
   * one (the group's own bundles are the demand then, not theirs).
   */
  public record Demand(
      @JsonProperty("kind") String kind,
      @JsonProperty("resources") ResourceSet resources,
      @JsonProperty("count") int count,
      @JsonProperty("reason") String reason,
      @JsonProperty("label_selector") java.util.Map<String, String> labelSelector,
      @JsonProperty("placement_group") String placementGroup) {
    public Demand {
      labelSelector = labelSelector == null ? java.util.Map.of() : java.util.Map.copyOf(labelSelector);
    }

    /** A demand with no label selector, outside any placement group. */
    public Demand(String kind, ResourceSet resources, int count, String reason) {
      this(kind, resources, count, reason, java.util.Map.of(), null);
    }
  }

  public long aliveNodes() {
    return nodes.stream().filter(n -> NodeInfo.ALIVE.equals(n.state())).count();
  }
}
