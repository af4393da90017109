package io.troupe.serve.api;

/** Status of one deployment (Ray Serve's {@code DeploymentStatus}); see {@link DeploymentStatusTrigger}. */
public enum DeploymentStatus {
  /** A new config is being rolled out (new version starting, old version draining). */
  UPDATING,
  /** Scaling up to a larger target (autoscaling or a manual num_replicas change). */
  UPSCALING,
  /** Scaling down to a smaller target. */
  DOWNSCALING,
  /** All target replicas of the current version are RUNNING. */
  HEALTHY,
  /** Replicas failed health checks or died after the deployment had been healthy; being replaced. */
  UNHEALTHY,
  /**
   * The replica constructor failed more often than the retry budget allows before any replica ever
   * started; the controller stops trying until a new config is deployed. The message carries the
   * last error.
   */
  DEPLOY_FAILED
}
