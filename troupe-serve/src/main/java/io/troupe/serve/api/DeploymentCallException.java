package io.troupe.serve.api;

/**
 * A deployment's user code threw while serving a {@link DeploymentHandle} call (or while producing
 * a stream). The callee replica keeps serving; {@link #errorId()} is in that replica's log line
 * with the stack trace.
 */
public final class DeploymentCallException extends ServeException {
  private final String errorId;
  private final String replica;

  public DeploymentCallException(String replica, String errorId, String error) {
    super("replica " + replica + " failed: " + error + " (error id " + errorId + ")");
    this.errorId = errorId;
    this.replica = replica;
  }

  public String errorId() {
    return errorId;
  }

  public String replica() {
    return replica;
  }
}
