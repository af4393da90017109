package io.troupe.llm.spi;

/**
 * A rank of a model-parallel group failed, timed out or was fenced (stale epoch). In-flight requests
 * of the group fail with this error; the group must be restarted (new epoch) before it serves again.
 */
public class RankFailureException extends RuntimeException {
  public RankFailureException(String message) {
    super(message);
  }

  public RankFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
