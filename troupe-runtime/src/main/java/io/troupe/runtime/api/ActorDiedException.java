package io.troupe.runtime.api;

/** A call could not run because the actor is dead (or died while the call was in flight). */
public class ActorDiedException extends TroupeException {
  private final ActorId actorId;
  private final String deathCause;

  public ActorDiedException(ActorId actorId, String deathCause) {
    super("actor " + actorId + " is dead: " + deathCause);
    this.actorId = actorId;
    this.deathCause = deathCause;
  }

  public ActorId actorId() {
    return actorId;
  }

  public String deathCause() {
    return deathCause;
  }
}
