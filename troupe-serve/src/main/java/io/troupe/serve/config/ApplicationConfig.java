package io.troupe.serve.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One application of the config file. Immutable.
 *
 * @param name unique among the applications
 * @param routePrefix HTTP prefix of the ingress; empty when the app takes no HTTP traffic
 * @param importPath a Java class (a deployment) or an application builder; resolved by the wiring
 * @param args JSON-like arguments for the application builder
 * @param deployments per-deployment option overrides
 */
public record ApplicationConfig(String name, Optional<String> routePrefix, String importPath,
    Map<String, Object> args, List<DeploymentOverride> deployments) {
  public ApplicationConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(importPath, "importPath");
    routePrefix = routePrefix == null ? Optional.empty() : routePrefix;
    args = args == null ? Map.of() : args;
    deployments = deployments == null ? List.of() : List.copyOf(deployments);
  }

  /** The override for deployment {@code name}, if the file has one. */
  public Optional<DeploymentOverride> override(String deploymentName) {
    return deployments.stream().filter(d -> d.name().equals(deploymentName)).findFirst();
  }
}
