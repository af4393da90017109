package io.troupe.serve.api;

/** Status of an application, derived from its deployments (Ray Serve's {@code ApplicationStatus}). */
public enum ApplicationStatus {
  /** Declared but nothing deployed yet. */
  NOT_STARTED,
  /** At least one deployment is updating (starting, rolling over, scaling to a new config). */
  DEPLOYING,
  /**
   * A deployment could not be brought up (its constructor kept failing, or the app could not be
   * built); the message says why. The controller stops retrying until the app is deployed again.
   */
  DEPLOY_FAILED,
  /** Every deployment is healthy at its target; traffic is served. */
  RUNNING,
  /**
   * Was running, but a deployment is now unhealthy (replicas failing health checks or dying). The
   * controller keeps replacing replicas; traffic goes to whatever replicas are still healthy.
   */
  UNHEALTHY,
  /** Being deleted: replicas drain and stop; the application disappears when none is left. */
  DELETING
}
