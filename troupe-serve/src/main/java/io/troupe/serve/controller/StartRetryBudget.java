package io.troupe.serve.controller;

/**
 * The constructor retry budget of one deployment (Ray Serve's): starts of the target version may
 * fail {@code min(MAX_CONSTRUCTOR_RETRIES, MAX_PER_REPLICA_RETRIES × num_replicas)} times before
 * the deployment is DEPLOY_FAILED — unless one replica of the version started, after which
 * failures only replace replicas. Reset by a new version or a redeploy of a failed deployment.
 * Mutable; owned by one {@link DeploymentStateManager}.
 */
final class StartRetryBudget {
  private int failures;
  private boolean started;
  private String lastError = "";

  /** A start of the target version failed with {@code error}. */
  void failed(String error) {
    failures++;
    lastError = error;
  }

  /** A replica of the target version became ready. */
  void started() {
    started = true;
  }

  void reset() {
    failures = 0;
    started = false;
    lastError = "";
  }

  int failures() {
    return failures;
  }

  String lastError() {
    return lastError;
  }

  /** How many failed starts the budget allows for a target of {@code numReplicas}. */
  static int limit(int numReplicas) {
    return Math.min(DeploymentStateManager.MAX_CONSTRUCTOR_RETRIES,
        DeploymentStateManager.MAX_PER_REPLICA_RETRIES * Math.max(1, numReplicas));
  }

  /** True when no replica of the version started and the failures used up the budget: stop trying. */
  boolean exhausted(int numReplicas) {
    return !started && failures >= limit(numReplicas);
  }
}
