package io.troupe.serve.config;

import java.util.List;
import java.util.Objects;

/**
 * A whole serve config file (Ray Serve's {@code ServeDeploySchema}); parse with
 * {@link ServeConfigParser}. Immutable.
 */
public record ServeConfig(ProxyLocation proxyLocation, HttpOptions httpOptions, List<ApplicationConfig> applications) {
  public ServeConfig {
    Objects.requireNonNull(proxyLocation, "proxyLocation");
    Objects.requireNonNull(httpOptions, "httpOptions");
    applications = applications == null ? List.of() : List.copyOf(applications);
  }
}
