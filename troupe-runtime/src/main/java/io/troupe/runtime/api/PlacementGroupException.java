package io.troupe.runtime.api;

/**
 * A placement-group operation failed: bad input, a removed or failed group, a nested group that
 * does not fit its parent, or a wait that timed out. The message names the group and says why.
 */
public class PlacementGroupException extends TroupeException {
  public PlacementGroupException(String message) {
    super(message);
  }
}
