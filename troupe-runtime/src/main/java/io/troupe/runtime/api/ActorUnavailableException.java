package io.troupe.runtime.api;

/**
 * A call was in flight when its actor's node or process failed; the actor is being restarted.
 * The call may or may not have run. Retry it if it is idempotent.
 */
public class ActorUnavailableException extends TroupeException {
  public ActorUnavailableException(String message) {
    super(message);
  }
}
