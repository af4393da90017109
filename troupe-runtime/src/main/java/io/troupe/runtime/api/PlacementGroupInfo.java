package io.troupe.runtime.api;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a placement group for users: state, epoch, where each bundle is (empty while not
 * reserved) and why it is not ready ({@code reason}, empty when CREATED). Immutable.
 */
public record PlacementGroupInfo(PlacementGroupId id, Optional<String> name, PlacementStrategy strategy,
    PlacementGroupState state, long epoch, List<BundleInfo> bundles, String reason) {
  /** One bundle: its request, node, and the GPU instance ids it holds there. */
  public record BundleInfo(int index, Bundle bundle, Optional<NodeId> node, List<String> gpuIds) {
    public BundleInfo {
      gpuIds = List.copyOf(gpuIds);
    }
  }

  public PlacementGroupInfo {
    bundles = List.copyOf(bundles);
  }
}
