package io.troupe.runtime.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.ResourceSet;
import java.util.List;
import java.util.Map;

/**
 * The REST shape of a placement group (snake_case): id, name, state, strategy, epoch, bundles,
 * while the group is not CREATED the reason why, and a gang's last restart. Immutable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PlacementGroupView(
    @JsonProperty("placement_group_id") String placementGroupId,
    @JsonProperty("name") @JsonInclude(JsonInclude.Include.ALWAYS) String name,
    @JsonProperty("state") String state,
    @JsonProperty("strategy") String strategy,
    @JsonProperty("epoch") long epoch,
    @JsonProperty("bundles") List<BundleView> bundles,
    @JsonProperty("reason") String reason,
    @JsonProperty("last_gang_restart") GangRestartView lastGangRestart) {

  /** A gang's last restart: the epoch it moved to, when (ISO-8601), why, the bundles whose node was lost. */
  record GangRestartView(@JsonProperty("epoch") long epoch, @JsonProperty("at") String at,
      @JsonProperty("cause") String cause, @JsonProperty("lost_bundles") List<Integer> lostBundles) {}

  /** One bundle: what it reserves, where ({@code node_id} null while not reserved) and its GPU ids. */
  record BundleView(
      @JsonProperty("index") int index,
      @JsonProperty("resources") ResourceSet resources,
      @JsonProperty("label_selector") Map<String, String> labelSelector,
      @JsonProperty("node_id") @JsonInclude(JsonInclude.Include.ALWAYS) String nodeId,
      @JsonProperty("gpu_ids") List<String> gpuIds) {}

  static PlacementGroupView of(PlacementGroupInfo info) {
    List<BundleView> bundles = info.bundles().stream()
        .map(b -> new BundleView(b.index(), b.bundle().resources(), b.bundle().labelSelector(),
            b.node().map(NodeId::value).orElse(null), b.gpuIds()))
        .toList();
    String reason = info.reason() == null || info.reason().isBlank() ? null : info.reason();
    return new PlacementGroupView(info.id().value(), info.name().orElse(null), info.state().name(),
        info.strategy().name(), info.epoch(), bundles, reason, info.lastGangRestart()
            .map(r -> new GangRestartView(r.epoch(), r.at().toString(), r.cause(), r.lostBundles())).orElse(null));
  }
}
