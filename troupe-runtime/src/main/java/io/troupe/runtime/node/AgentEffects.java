package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ResourceSet;
import java.util.List;
import java.util.Set;
import io.troupe.runtime.placement.HeldBundle;

/** What a node agent tells the control service. Implemented by the Pekko shell; faked in tests. */
public interface AgentEffects {
  /**
   * This node's resources or hosted actors changed. The shell coalesces: it calls
   * {@link NodeAgent#report()} when the report is to go out, so a burst of changes costs one report.
   */
  void reportDue();

  /** The report itself, computed by {@link NodeAgent#report()}. */
  void report(ResourceSet available, ResourceSet usedOutsideGroups, Set<String> hosted, List<HeldBundle> bundles);

  void actorStarted(ActorId id, int incarnation);

  void actorStartFailed(ActorId id, int incarnation, boolean noResources, String error);
}
