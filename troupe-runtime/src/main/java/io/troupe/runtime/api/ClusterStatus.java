package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Snapshot of the cluster: nodes, and demands waiting for resources. */
public record ClusterStatus(
    @JsonProperty("nodes") List<NodeInfo> nodes,
    @JsonProperty("pending_demands") List<Demand> pendingDemands,
    @JsonProperty("infeasible_demands") List<Demand> infeasibleDemands) {

  /** Demands of one shape waiting for resources, with why. */
  public record Demand(
      @JsonProperty("kind") String kind,
      @JsonProperty("resources") ResourceSet resources,
      @JsonProperty("count") int count,
      @JsonProperty("reason") String reason) {}

  public long aliveNodes() {
    return nodes.stream().filter(n -> NodeInfo.ALIVE.equals(n.state())).count();
  }
}
