package io.troupe.runtime.api;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a placement group for users: state, epoch, where each bundle is (empty while not
 * reserved), why it is not ready ({@code reason}, empty when CREATED) and, for a gang, its last restart
 * (kept after the group is CREATED again; not kept across a head restart). Immutable.
 */
public record PlacementGroupInfo(PlacementGroupId id, Optional<String> name, PlacementStrategy strategy,
    PlacementGroupState state, long epoch, List<BundleInfo> bundles, String reason,
    Optional<GangRestart> lastGangRestart) {
  /**
   * A gang restart: the epoch it moved the group to, when, why (e.g. "node n died (lost bundle [1])"), and the
   * indexes of the bundles whose node was lost (empty when a member failed on a node that stays).
   */
  public record GangRestart(long epoch, java.time.Instant at, String cause, List<Integer> lostBundles) {
    public GangRestart {
      lostBundles = lostBundles == null ? List.of() : List.copyOf(lostBundles);
    }

    /** A restart that lost no bundle (a member failed). */
    public GangRestart(long epoch, java.time.Instant at, String cause) {
      this(epoch, at, cause, List.of());
    }
  }

  /** Without a gang restart. */
  public PlacementGroupInfo(PlacementGroupId id, Optional<String> name, PlacementStrategy strategy,
      PlacementGroupState state, long epoch, List<BundleInfo> bundles, String reason) {
    this(id, name, strategy, state, epoch, bundles, reason, Optional.empty());
  }

  /** One bundle: its request, node, and the GPU instance ids it holds there. */
  public record BundleInfo(int index, Bundle bundle, Optional<NodeId> node, List<String> gpuIds) {
    public BundleInfo {
      gpuIds = List.copyOf(gpuIds);
    }
  }

  public PlacementGroupInfo {
    bundles = List.copyOf(bundles);
    lastGangRestart = lastGangRestart == null ? Optional.empty() : lastGangRestart;
  }
}
