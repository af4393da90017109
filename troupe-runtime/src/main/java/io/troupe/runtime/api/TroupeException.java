package io.troupe.runtime.api;

/**
 * A failure whose message is meant for a person: one line that says what is wrong and how to fix
 * it. Command-line tools print only the message, never the stack trace.
 */
public class TroupeException extends RuntimeException {
  public TroupeException(String message) {
    super(message);
  }

  public TroupeException(String message, Throwable cause) {
    super(message, cause);
  }
}
