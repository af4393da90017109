package io.troupe.runtime.autoscaler;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the cluster autoscaler is doing, for {@code troupe status} and {@code GET /api/cluster/status}
 * (field {@code autoscaler}). Immutable.
 */
public record AutoscalerStatus(
    @JsonProperty("cluster_name") String clusterName,
    @JsonProperty("provider") String provider,
    @JsonProperty("updated_at_ms") long updatedAtMs,
    @JsonProperty("nodes") List<Node> nodes,
    @JsonProperty("failures") List<Failure> failures,
    @JsonProperty("infeasible") List<Unmet> infeasible,
    @JsonProperty("at_limit") List<Unmet> atLimit) {

  /** Key under which the head's autoscaler keeps its latest status in the control service's KV store. */
  public static final String KV_KEY = "troupe/autoscaler/status";

  public AutoscalerStatus {
    nodes = List.copyOf(nodes);
    failures = List.copyOf(failures);
    infeasible = List.copyOf(infeasible);
    atLimit = List.copyOf(atLimit);
  }

  /**
   * A node the autoscaler launched: {@code state} LAUNCHING (provider working), WAITING (started, not joined
   * yet), RUNNING, IDLE (running with nothing on it; {@code idle_s} so far) or TERMINATING.
   */
  public record Node(
      @JsonProperty("launch_id") String launchId,
      @JsonProperty("node_type") String nodeType,
      @JsonProperty("state") String state,
      @JsonProperty("node_id") String nodeId,
      @JsonProperty("provider_node_id") String providerNodeId,
      @JsonProperty("for_s") double forSeconds,
      @JsonProperty("idle_s") double idleSeconds) {
  }

  /** A launch or termination that failed, why, and when the type is tried again. */
  public record Failure(
      @JsonProperty("node_type") String nodeType,
      @JsonProperty("what") String what,
      @JsonProperty("reason") String reason,
      @JsonProperty("at_ms") long atMs,
      @JsonProperty("attempts") int attempts,
      @JsonProperty("retry_in_s") double retryInSeconds) {
  }

  /** A demand the autoscaler cannot meet, and why. */
  public record Unmet(
      @JsonProperty("demand") String demand,
      @JsonProperty("reason") String reason) {
  }
}
