package io.troupe.runtime.api;

/** Lifecycle of a placement group. Each constant says what happens next. */
public enum PlacementGroupState {
  /** Waiting for room (or infeasible: see the group's reason); retried with back-off. */
  PENDING,
  /** Every bundle is prepared on its node and the commit decision is made; commits are in flight. */
  PREPARED,
  /** Every bundle is committed; actors may be placed in it and {@code ready()} completes. */
  CREATED,
  /** Some bundles were lost with their node; only those are being re-reserved, the rest keep running. */
  RESCHEDULING,
  /** Removed by the user, its owner's death or its parent's removal. Terminal; nothing is reserved. */
  REMOVED,
  /** A gang group that used up its restart budget. Terminal; nothing is reserved. */
  FAILED;

  /** True for REMOVED and FAILED. */
  public boolean terminal() {
    return this == REMOVED || this == FAILED;
  }
}
