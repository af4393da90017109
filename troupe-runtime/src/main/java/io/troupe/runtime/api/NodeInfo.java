package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** One node as the control service sees it (the REST API's node shape). */
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
    @JsonProperty("death_reason") String deathReason) {
  public static final String ALIVE = "ALIVE";
  public static final String DEAD = "DEAD";
}
