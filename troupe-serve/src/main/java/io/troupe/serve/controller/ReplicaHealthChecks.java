package io.troupe.serve.controller;

import static io.troupe.serve.api.ReplicaState.RUNNING;

import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.controller.ClusterOps.HealthReport;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Health checks of a deployment's RUNNING replicas (Ray Serve's rule): one check in flight per
 * replica, started every {@code health_check_period_s}, failed when unanswered after
 * {@code health_check_timeout_s}; {@link DeploymentStateManager#HEALTH_FAILURE_THRESHOLD} failures
 * in a row hand the replica to {@code onUnhealthy} (which replaces it). Stateless: the per-replica
 * state lives in {@link ReplicaRecord}.
 */
final class ReplicaHealthChecks {
  private ReplicaHealthChecks() {
  }

  /** One round at {@code now} over {@code replicas}. {@code onUnhealthy} gets the replica and why. */
  static void run(List<ReplicaRecord> replicas, DeploymentConfig config, ClusterOps ops, Instant now,
      BiConsumer<ReplicaRecord, String> onUnhealthy) {
    for (ReplicaRecord r : List.copyOf(replicas)) {
      if (!r.is(RUNNING)) {
        continue;
      }
      if (r.healthCheckStartedAt != null) {
        switch (ops.pollHealth(r.id)) {
          case HealthReport.Pending p -> {
            if (!now.isBefore(r.healthCheckStartedAt.plus(config.healthCheckTimeout()))) {
              failed(r, "health check timed out after " + config.healthCheckTimeout().toSeconds() + "s", config, now,
                  onUnhealthy);
            }
          }
          case HealthReport.Healthy h -> {
            r.healthFailures = 0;
            r.healthCheckStartedAt = null;
            r.nextHealthCheckAt = now.plus(config.healthCheckPeriod());
          }
          case HealthReport.Unhealthy u -> failed(r, u.error(), config, now, onUnhealthy);
        }
      } else if (r.nextHealthCheckAt != null && !now.isBefore(r.nextHealthCheckAt)) {
        ops.checkHealth(r.id);
        r.healthCheckStartedAt = now;
      }
    }
  }

  private static void failed(ReplicaRecord r, String error, DeploymentConfig config, Instant now,
      BiConsumer<ReplicaRecord, String> onUnhealthy) {
    r.healthFailures++;
    r.healthCheckStartedAt = null;
    r.nextHealthCheckAt = now.plus(config.healthCheckPeriod());
    if (r.healthFailures >= DeploymentStateManager.HEALTH_FAILURE_THRESHOLD) {
      onUnhealthy.accept(r, "replica " + r.id + " failed its health check " + r.healthFailures + " times in a row: "
          + error);
    }
  }
}
