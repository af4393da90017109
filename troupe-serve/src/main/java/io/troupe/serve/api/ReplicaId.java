package io.troupe.serve.api;

import java.util.Objects;

/**
 * One replica of a deployment; {@code unique} is never reused within the deployment, so a replaced
 * replica gets a new id. {@link #toString()} ({@code app#deployment#unique}) is also the replica
 * actor's name, which lets a restarted controller find its replicas again. Immutable.
 */
public record ReplicaId(DeploymentId deployment, String unique) implements Comparable<ReplicaId> {
  public ReplicaId {
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(unique, "unique");
  }

  /** Parses {@link #toString()}'s form {@code app#deployment#unique}; throws for anything else. */
  public static ReplicaId parse(String s) {
    String[] parts = s.split("#", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw new IllegalArgumentException("not a replica id (app#deployment#unique): " + s);
    }
    return new ReplicaId(new DeploymentId(parts[0], parts[1]), parts[2]);
  }

  @Override
  public int compareTo(ReplicaId o) {
    int c = deployment.compareTo(o.deployment);
    return c != 0 ? c : unique.compareTo(o.unique);
  }

  @Override
  public String toString() {
    return deployment + "#" + unique;
  }
}
