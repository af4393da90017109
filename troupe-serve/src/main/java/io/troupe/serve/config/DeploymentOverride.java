package io.troupe.serve.config;

import io.troupe.serve.api.DeploymentConfig;
import java.util.Map;
import java.util.Objects;

/**
 * The options a config file sets for one deployment of an application; they override the code's
 * (see {@link io.troupe.serve.api.DeploymentOptions#resolve}). Immutable.
 *
 * @param name the deployment it applies to
 * @param options the keys as written in the file (already validated), e.g. {@code num_replicas}
 */
public record DeploymentOverride(String name, Map<String, Object> options) {
  public DeploymentOverride {
    Objects.requireNonNull(name, "name");
    options = options == null ? Map.of() : options;
  }

  /** A new builder with exactly the options the file sets. */
  public DeploymentConfig.Builder toBuilder() {
    return DeploymentOverrides.toBuilder(new YamlNode(DeploymentOverrides.MAPPER.valueToTree(options), "deployment"));
  }
}
