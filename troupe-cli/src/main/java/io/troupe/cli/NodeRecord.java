package io.troupe.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The "ready file" a node started by the CLI writes to {@code session/nodes/<pid>.json} once
 * {@code TroupeNode.start} has returned, and removes when it exits. {@code troupe start} waits for
 * it, {@code troupe stop} reads it to know what to stop, {@code troupe status} to find the REST API.
 *
 * @param pid the node's OS process id
 * @param processStart the process start time in epoch millis (guards against a reused pid); 0 if unknown
 * @param nodeId the node id the cluster gave it
 * @param head whether it is the head node
 * @param address cluster address {@code host:port}
 * @param dashboardUrl REST API base URL (head only)
 * @param dashboardToken bearer token the REST API requires (head only, when it has one); the file
 *     is readable by its owner only
 * @param resources the resources the node offers
 * @param log the node's log file
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeRecord(
    @JsonProperty("pid") long pid,
    @JsonProperty("process_start") long processStart,
    @JsonProperty("node_id") String nodeId,
    @JsonProperty("is_head") boolean head,
    @JsonProperty("address") String address,
    @JsonProperty("dashboard_url") String dashboardUrl,
    @JsonProperty("dashboard_token") String dashboardToken,
    @JsonProperty("resources") Map<String, Double> resources,
    @JsonProperty("log") String log) {

  public NodeRecord {
    resources = resources == null ? Map.of() : Map.copyOf(resources);
  }

  String role() {
    return head ? "head" : "worker";
  }
}
