package io.troupe.runtime.scheduling;

import io.troupe.runtime.api.NodeId;

/** A scheduling decision. Each case says what the caller does next. */
public sealed interface Decision {
  /** Place the demand on this node (the node agent still has the final word). */
  record Place(NodeId nodeId) implements Decision {}

  /** Feasible, but nothing fits right now: keep it pending and retry when resources free up. */
  record Wait(String reason) implements Decision {}

  /**
   * No live node could ever hold it (by totals and hard constraints): report it as infeasible and
   * retry when the set of nodes changes.
   */
  record Infeasible(String reason) implements Decision {}
}
