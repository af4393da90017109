package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;
import java.util.Objects;

/**
 * Where an actor may run. Every strategy is a record; the scheduler handles them exhaustively.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = SchedulingStrategy.Default.class, name = "DEFAULT"),
  @JsonSubTypes.Type(value = SchedulingStrategy.NodeAffinity.class, name = "NODE_AFFINITY"),
  @JsonSubTypes.Type(value = SchedulingStrategy.NodeLabels.class, name = "NODE_LABELS"),
  @JsonSubTypes.Type(value = SchedulingStrategy.InPlacementGroup.class, name = "PLACEMENT_GROUP"),
  @JsonSubTypes.Type(value = SchedulingStrategy.OutsideGroup.class, name = "OUTSIDE_GROUP"),
})
public sealed interface SchedulingStrategy {

  /**
   * Ray's hybrid policy: pack onto the first node (the caller's own first) whose utilisation stays
   * under a threshold, then spread to the least utilised node. Nodes with GPUs are avoided for
   * demands that need no GPU while other nodes fit.
   */
  record Default() implements SchedulingStrategy {}

  /**
   * Run on one node. Hard ({@code soft = false}): fail if the node is dead or unknown, wait if busy.
   * Soft: prefer that node, fall back to the default policy.
   */
  record NodeAffinity(NodeId nodeId, boolean soft) implements SchedulingStrategy {
    public NodeAffinity {
      Objects.requireNonNull(nodeId, "nodeId");
    }
  }

  /**
   * Run on a node whose labels match {@code hard} (required) and preferably {@code soft}.
   * Values: {@code "v"} equals, {@code "a,b"} one of, {@code "!v"} not equal (or absent),
   * {@code "*"} the label exists.
   */
  record NodeLabels(Map<String, String> hard, Map<String, String> soft) implements SchedulingStrategy {
    public NodeLabels {
      hard = hard == null ? Map.of() : Map.copyOf(hard);
      soft = soft == null ? Map.of() : Map.copyOf(soft);
    }
  }

  /**
   * Run inside a placement group's bundle, consuming the bundle's reserved resources (never the
   * node's free pool). {@code bundleIndex} -1 takes any bundle with room. With
   * {@code captureChildren}, actors this actor creates land in the same group by default.
   * An actor that does not fit its bundle's remaining capacity fails at once.
   */
  record InPlacementGroup(PlacementGroupId group, int bundleIndex, boolean captureChildren)
      implements SchedulingStrategy {
    public InPlacementGroup {
      Objects.requireNonNull(group, "group");
      if (bundleIndex < -1) {
        throw new IllegalArgumentException("bundle index must be -1 (any) or >= 0, got " + bundleIndex);
      }
    }
  }

  /**
   * The default policy, explicitly outside any placement group: opts an actor created from inside a
   * group out of being captured into it.
   */
  record OutsideGroup() implements SchedulingStrategy {}

  static SchedulingStrategy inGroup(PlacementGroupId group) {
    return new InPlacementGroup(group, -1, true);
  }

  static SchedulingStrategy inGroup(PlacementGroupId group, int bundleIndex) {
    return new InPlacementGroup(group, bundleIndex, true);
  }

  static SchedulingStrategy defaultStrategy() {
    return new Default();
  }

  static SchedulingStrategy nodeAffinity(NodeId node, boolean soft) {
    return new NodeAffinity(node, soft);
  }

  static SchedulingStrategy labels(Map<String, String> hard) {
    return new NodeLabels(hard, Map.of());
  }
}
