package io.troupe.runtime.api;

/** Lifecycle of a Troupe actor. */
public enum ActorState {
  /** Waiting for a node with room (or being constructed); calls are queued by the caller. */
  PENDING_CREATION,
  /** Constructed and serving calls. */
  ALIVE,
  /** Its node or process died and it has restarts left: being re-created; calls are queued. */
  RESTARTING,
  /** Gone for good; calls fail with {@link ActorDiedException} carrying the death cause. */
  DEAD
}
