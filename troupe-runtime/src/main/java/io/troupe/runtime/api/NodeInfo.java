package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One node as the control service sees it (the REST API's node shape). {@code metricsUrl} is the URL of the
 * node's Prometheus {@code /metrics} as the node advertised it ({@code null} when it serves none, and in the
 * control service's own view: the REST API fills it in, see {@code io.troupe.runtime.rest.MetricsTargets}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeInfo(
    @JsonProperty("node_id") NodeId nodeId,
    @JsonProperty("address") String address,
    @JsonProperty("state") String state,
    @JsonProperty("is_head") boolean isHead,
    @JsonProperty("labels") Map<String, String> labels,
    @JsonProperty("resources_total") ResourceSet resourcesTotal,
    @JsonProperty("resources_available") ResourceSet resourcesAvailable,
    @JsonProperty("gpu_ids") List<String> gpuIds,
    @JsonProperty("death_reason") String deathReason,
    @JsonProperty("metrics_url") @JsonInclude(JsonInclude.Include.ALWAYS) String metricsUrl) {
  public static final String ALIVE = "ALIVE";
  public static final String DEAD = "DEAD";

  /** Without a metrics URL (the control service's view). */
  public NodeInfo(NodeId nodeId, String address, String state, boolean isHead, Map<String, String> labels,
      ResourceSet resourcesTotal, ResourceSet resourcesAvailable, List<String> gpuIds, String deathReason) {
    this(nodeId, address, state, isHead, labels, resourcesTotal, resourcesAvailable, gpuIds, deathReason, null);
  }

  public NodeInfo withMetricsUrl(String url) {
    return new NodeInfo(nodeId, address, state, isHead, labels, resourcesTotal, resourcesAvailable, gpuIds,
        deathReason, url);
  }
}
