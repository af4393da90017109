package io.troupe.serve.controller;

import io.troupe.serve.api.DeploymentStatus;
import io.troupe.serve.api.DeploymentStatusTrigger;

/**
 * A deployment's status, the trigger that caused it and its message (Ray Serve's
 * {@code DeploymentStatusInfo}), with the rules that move them: UNHEALTHY on a replica failure
 * (only noted while UPDATING or DEPLOY_FAILED), DEPLOY_FAILED when the start budget is used up,
 * HEALTHY once every replica runs the target. Mutable; owned by one {@link DeploymentStateManager}.
 */
final class DeploymentStatusTracker {
  private static final System.Logger LOG = System.getLogger(DeploymentStatusTracker.class.getName());

  private DeploymentStatus status = DeploymentStatus.UPDATING;
  private DeploymentStatusTrigger trigger = DeploymentStatusTrigger.CONFIG_UPDATE_STARTED;
  private String message = "";

  DeploymentStatus status() {
    return status;
  }

  DeploymentStatusTrigger trigger() {
    return trigger;
  }

  String message() {
    return message;
  }

  void set(DeploymentStatus s, DeploymentStatusTrigger t, String msg) {
    status = s;
    trigger = t;
    message = msg;
  }

  /** Only the trigger changes (a delete, a restore). */
  void trigger(DeploymentStatusTrigger t) {
    trigger = t;
  }

  /** The reconciler itself failed; the status stays, the trigger and message say so. */
  void internalError(String msg) {
    trigger = DeploymentStatusTrigger.INTERNAL_ERROR;
    message = msg;
  }

  /** A replica failed or died: UNHEALTHY, except that an update or a failed deploy only notes why. */
  void unhealthy(String deployment, String why) {
    LOG.log(System.Logger.Level.INFO, deployment + ": " + why);
    if (status == DeploymentStatus.UPDATING || status == DeploymentStatus.DEPLOY_FAILED) {
      message = why;
    } else {
      set(DeploymentStatus.UNHEALTHY, DeploymentStatusTrigger.HEALTH_CHECK_FAILED, why);
    }
  }

  /**
   * After a reconcile step: DEPLOY_FAILED when {@code budget} is used up; HEALTHY (with the trigger
   * of what completed) when exactly {@code numReplicas} replicas run the target and nothing else
   * runs ({@code other}); otherwise, while updating, the message counts the failed starts.
   *
   * @param upToDate replicas RUNNING with the target version and runtime config
   * @param other whether any replica (not stopping) is in another state or version
   */
  void afterReconcile(StartRetryBudget budget, int numReplicas, long upToDate, boolean other) {
    if (budget.exhausted(numReplicas)) {
      set(DeploymentStatus.DEPLOY_FAILED, DeploymentStatusTrigger.REPLICA_STARTUP_FAILED,
          "The deployment failed to start " + budget.failures() + " times in a row. This may be due to a problem with "
              + "its constructor or initial health check failing. Error:\n" + budget.lastError());
      return;
    }
    if (!other && upToDate == numReplicas) {
      switch (status) {
        case UPDATING -> set(DeploymentStatus.HEALTHY, DeploymentStatusTrigger.CONFIG_UPDATE_COMPLETED, "");
        case UPSCALING -> set(DeploymentStatus.HEALTHY, DeploymentStatusTrigger.UPSCALE_COMPLETED, "");
        case DOWNSCALING -> set(DeploymentStatus.HEALTHY, DeploymentStatusTrigger.DOWNSCALE_COMPLETED, "");
        case UNHEALTHY -> set(DeploymentStatus.HEALTHY, DeploymentStatusTrigger.UNSPECIFIED, "");
        case HEALTHY, DEPLOY_FAILED -> { }
      }
    } else if (budget.failures() > 0 && status == DeploymentStatus.UPDATING) {
      message = "a replica failed to start (" + budget.failures() + " of " + StartRetryBudget.limit(numReplicas)
          + " attempts used), retrying: " + budget.lastError();
    }
  }
}
