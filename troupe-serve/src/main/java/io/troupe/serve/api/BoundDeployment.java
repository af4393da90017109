package io.troupe.serve.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A deployment class bound to its options and constructor arguments (Ray Serve's
 * {@code Deployment.bind(...)}). An argument that is itself a {@link BoundDeployment} becomes a
 * handle to that deployment when the replica is constructed, which is how applications compose.
 * Immutable.
 *
 * @param className fully qualified name of the deployment class (the replica loads it)
 * @param config merged options; {@code config.name()} is set
 * @param initArgs constructor arguments: JSON-like values or other bound deployments
 */
public record BoundDeployment(String className, DeploymentConfig config, List<Object> initArgs) {
  public BoundDeployment {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(config.name(), "config.name");
    initArgs = initArgs == null ? List.of() : List.copyOf(initArgs);
    for (int i = 0; i < initArgs.size(); i++) {
      if (!(initArgs.get(i) instanceof BoundDeployment)) {
        JsonValues.check("init_args[" + i + "]", initArgs.get(i));
      }
    }
  }

  /** Binds {@code cls} with options from its annotation and {@code code}; {@code args} as above. */
  public static BoundDeployment bind(Class<?> cls, DeploymentConfig.Builder code, Object... args) {
    return new BoundDeployment(cls.getName(), DeploymentOptions.resolve(cls, code, null), List.of(args));
  }

  public String name() {
    return config.name();
  }

  /** The same deployment with other options. */
  public BoundDeployment withConfig(DeploymentConfig c) {
    return new BoundDeployment(className, c, initArgs);
  }

  /** The deployments this one's constructor receives handles to. */
  public List<BoundDeployment> children() {
    List<BoundDeployment> out = new ArrayList<>();
    for (Object a : initArgs) {
      if (a instanceof BoundDeployment b) {
        out.add(b);
      }
    }
    return out;
  }
}
