package io.troupe.serve.api;

/**
 * Base of the serving layer's errors. Messages say what went wrong and, where it helps, what to
 * change; subclasses name conditions a caller handles differently.
 */
public class ServeException extends RuntimeException {
  public ServeException(String message) {
    super(message);
  }

  public ServeException(String message, Throwable cause) {
    super(message, cause);
  }
}
