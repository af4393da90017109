package io.troupe.serve.api;

/** Lifecycle of one replica as the controller sees it (Ray Serve's {@code ReplicaState}). */
public enum ReplicaState {
  /**
   * Asked to start (actor and, if configured, its placement group) and not yet ready. Receives no
   * traffic. A start that fails counts against the deployment's constructor retry budget.
   */
  STARTING(false),
  /**
   * Running and reconfiguring in place (new {@code user_config} or {@code max_ongoing_requests}).
   * The actor is not restarted and keeps serving.
   */
  UPDATING(true),
  /**
   * Found alive by a restarted controller and being re-attached; becomes RUNNING without a restart
   * once it answers, or is replaced if it turns out dead.
   */
  RECOVERING(false),
  /** Ready and receiving traffic; health-checked every {@code health_check_period_s}. */
  RUNNING(true),
  /**
   * Being stopped gracefully: no new traffic, in-flight requests drain for up to
   * {@code graceful_shutdown_timeout_s}, then the actor and its placement group are removed.
   */
  STOPPING(false);

  private final boolean serving;

  ReplicaState(boolean serving) {
    this.serving = serving;
  }

  /** True when routers may send requests to a replica in this state. */
  public boolean serving() {
    return serving;
  }
}
