package io.troupe.runtime.api;

/**
 * The actor method threw. The actor keeps running. The message carries the remote exception's class
 * and message; {@link #remoteStackTrace()} has its stack trace as text.
 */
public class ActorCallException extends TroupeException {
  private final String remoteClass;
  private final String remoteStackTrace;

  public ActorCallException(String message, String remoteClass, String remoteStackTrace, Throwable cause) {
    super(message, cause);
    this.remoteClass = remoteClass;
    this.remoteStackTrace = remoteStackTrace;
  }

  public String remoteClass() {
    return remoteClass;
  }

  public String remoteStackTrace() {
    return remoteStackTrace;
  }
}
