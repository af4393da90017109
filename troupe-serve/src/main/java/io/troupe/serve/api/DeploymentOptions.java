package io.troupe.serve.api;

import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@link Deployment} annotations and merges the option layers: annotation &lt; builder (code)
 * &lt; config-file overrides, each layer overriding only what it sets. Stateless.
 */
public final class DeploymentOptions {
  private DeploymentOptions() {
  }

  /** The options the class's {@link Deployment} annotation sets (none when it has none). */
  public static DeploymentConfig.Builder fromAnnotation(Class<?> cls) {
    DeploymentConfig.Builder b = DeploymentConfig.builder();
    Deployment d = cls.getAnnotation(Deployment.class);
    if (d == null) {
      return b;
    }
    if (!d.name().isEmpty()) b.name(d.name());
    if (!d.version().isEmpty()) b.version(d.version());
    if (d.numReplicas() != Deployment.UNSET) b.numReplicas(d.numReplicas());
    if (d.maxOngoingRequests() != Deployment.UNSET) b.maxOngoingRequests(d.maxOngoingRequests());
    if (d.maxQueuedRequests() != Deployment.UNSET) b.maxQueuedRequests(d.maxQueuedRequests());
    Map<String, Double> res = new LinkedHashMap<>();
    if (d.numCpus() >= 0) res.put(ResourceSet.CPU, d.numCpus());
    if (d.numGpus() >= 0) res.put(ResourceSet.GPU, d.numGpus());
    if (d.memory() >= 0) res.put(ResourceSet.MEMORY, (double) d.memory());
    if (!res.isEmpty()) {
      if (!res.containsKey(ResourceSet.CPU)) {
        res.put(ResourceSet.CPU, 1.0); // keep the default CPU when only GPU/memory are given
      }
      b.resources(ResourceSet.of(res));
    }
    if (d.healthCheckPeriodS() >= 0) b.healthCheckPeriod(seconds(d.healthCheckPeriodS()));
    if (d.healthCheckTimeoutS() >= 0) b.healthCheckTimeout(seconds(d.healthCheckTimeoutS()));
    if (d.gracefulShutdownWaitLoopS() >= 0) b.gracefulShutdownWaitLoop(seconds(d.gracefulShutdownWaitLoopS()));
    if (d.gracefulShutdownTimeoutS() >= 0) b.gracefulShutdownTimeout(seconds(d.gracefulShutdownTimeoutS()));
    if (!d.requestRouter().isEmpty()) b.requestRouter(RequestRouterConfig.fromValue(d.requestRouter()));
    return b;
  }

  /**
   * The effective options of {@code cls}: its annotation, overlaid by {@code code}, overlaid by
   * {@code overrides} (from the config file); the name defaults to the class's simple name.
   * Throws {@link IllegalArgumentException} when the merged options are invalid.
   */
  public static DeploymentConfig resolve(Class<?> cls, DeploymentConfig.Builder code,
      DeploymentConfig.Builder overrides) {
    DeploymentConfig.Builder merged = DeploymentConfig.builder().name(cls.getSimpleName())
        .overlay(fromAnnotation(cls));
    if (code != null) merged.overlay(code);
    if (overrides != null) merged.overlay(overrides);
    return merged.build();
  }

  /** Seconds as a {@link Duration} (millisecond precision is plenty for these options). */
  public static Duration seconds(double s) {
    return Duration.ofNanos(Math.round(s * 1e9));
  }
}
