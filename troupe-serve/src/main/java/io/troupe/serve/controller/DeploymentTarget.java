package io.troupe.serve.controller;

import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one deployment should look like (Ray's {@code DeploymentTargetState}): its code, options and
 * how many replicas. Immutable; the controller is authoritative for it and checkpoints it.
 */
public record DeploymentTarget(DeploymentId id, String className, List<Object> initArgs, DeploymentConfig config,
    int numReplicas) {
  public DeploymentTarget {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(className, "className");
    initArgs = initArgs == null ? List.of() : List.copyOf(initArgs);
    Objects.requireNonNull(config, "config");
    if (numReplicas < 0) {
      throw new IllegalArgumentException("numReplicas must be >= 0, got " + numReplicas);
    }
  }

  /**
   * A constructor argument that becomes a handle to deployment {@code deployment} of the same
   * application (what a {@link BoundDeployment} argument turns into in a target, so that targets are
   * plain data that a checkpoint can carry).
   */
  public record HandleArg(String deployment) {
    public HandleArg {
      Objects.requireNonNull(deployment, "deployment");
    }
  }

  /** The target of a freshly deployed {@code d} in application {@code app}. */
  public static DeploymentTarget of(String app, BoundDeployment d) {
    List<Object> args = new java.util.ArrayList<>();
    for (Object a : d.initArgs()) {
      args.add(a instanceof BoundDeployment b ? new HandleArg(b.name()) : a);
    }
    return new DeploymentTarget(new DeploymentId(app, d.name()), d.className(), args, d.config(),
        d.config().initialReplicas());
  }

  public DeploymentTarget withNumReplicas(int n) {
    return new DeploymentTarget(id, className, initArgs, config, n);
  }

  /** Code + resources; a change rolls the replicas over. */
  public ReplicaVersion version() {
    String code = config.version() != null ? config.version() : digest(className + "|" + canonical(initArgs));
    return new ReplicaVersion(code, config.resources(), config.placementGroupBundles(),
        config.placementGroupStrategy());
  }

  /** What replicas take in place. */
  public ReplicaRuntimeConfig runtime() {
    return new ReplicaRuntimeConfig(config.userConfig(), config.maxOngoingRequests());
  }

  /** What {@link ClusterOps#startReplica} gets for replica {@code rid} of this target. */
  ReplicaStartSpec startSpec(ReplicaId rid) {
    Optional<PlacementGroupSpec> pg = Optional.empty();
    if (!config.placementGroupBundles().isEmpty()) {
      PlacementGroupSpec.Builder b = PlacementGroupSpec.builder().bundles(config.placementGroupBundles())
          .strategy(config.placementGroupStrategy()).name(ClusterOps.placementGroupName(rid)).detached()
          .owner(rid.toString());
      config.placementGroupGang().ifPresent(b::gang);
      pg = Optional.of(b.build());
    }
    return new ReplicaStartSpec(rid, className, initArgs, version(), runtime(), pg);
  }

  /** A stable text form of init args (bound deployments by name), independent of hash codes. */
  private static String canonical(Object o) {
    return switch (o) {
      case null -> "null";
      case BoundDeployment b -> "handle(" + b.name() + ")";
      case HandleArg h -> "handle(" + h.deployment() + ")";
      case String s -> '"' + s + '"';
      case Map<?, ?> m -> {
        StringBuilder sb = new StringBuilder("{");
        new TreeMap<>(m).forEach((k, v) -> sb.append(k).append('=').append(canonical(v)).append(','));
        yield sb.append('}').toString();
      }
      case List<?> l -> {
        StringBuilder sb = new StringBuilder("[");
        l.forEach(v -> sb.append(canonical(v)).append(','));
        yield sb.append(']').toString();
      }
      default -> o.toString();
    };
  }

  private static String digest(String s) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
