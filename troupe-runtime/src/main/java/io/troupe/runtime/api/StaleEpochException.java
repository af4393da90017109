package io.troupe.runtime.api;

/**
 * A call between two members of one placement group at different epochs was refused: a gang restart
 * separated them, and the caller (or the callee) belongs to the old generation.
 */
public class StaleEpochException extends TroupeException {
  public StaleEpochException(String message) {
    super(message);
  }
}
