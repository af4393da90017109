package io.troupe.serve.api;

/** What caused a deployment's latest status change (Ray Serve's {@code DeploymentStatusTrigger}). */
public enum DeploymentStatusTrigger {
  UNSPECIFIED,
  /** A deploy with a new config started; the status is UPDATING until it completes. */
  CONFIG_UPDATE_STARTED,
  /** The rollout of the latest config finished. */
  CONFIG_UPDATE_COMPLETED,
  /** Scaling up to the target finished. */
  UPSCALE_COMPLETED,
  /** Scaling down to the target finished. */
  DOWNSCALE_COMPLETED,
  /** The autoscaler changed the target number of replicas. */
  AUTOSCALING,
  /** Replicas failed to start (constructor error); with the budget exhausted this is DEPLOY_FAILED. */
  REPLICA_STARTUP_FAILED,
  /** A replica failed its health check too often in a row, or died. */
  HEALTH_CHECK_FAILED,
  /** The controller itself failed while reconciling; the message says how. */
  INTERNAL_ERROR,
  /** The deployment is being deleted. */
  DELETING
}
