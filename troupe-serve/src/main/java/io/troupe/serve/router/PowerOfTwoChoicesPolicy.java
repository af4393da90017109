package io.troupe.serve.router;

import io.troupe.serve.api.ReplicaId;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Ray Serve's default policy: power of two choices with locality. Tier 1 is two replicas sampled
 * from those on the caller's node, tier 2 two sampled from the others; the router then takes the
 * one with the shorter queue. Not thread-safe only through its {@link RandomGenerator}; give each
 * router its own.
 */
public final class PowerOfTwoChoicesPolicy implements RoutingPolicy {
  private final RandomGenerator random;
  private final boolean preferSameNode;

  public PowerOfTwoChoicesPolicy(RandomGenerator random, boolean preferSameNode) {
    this.random = random;
    this.preferSameNode = preferSameNode;
  }

  public PowerOfTwoChoicesPolicy(RandomGenerator random) {
    this(random, true);
  }

  @Override
  public List<List<ReplicaId>> rank(RoutingContext ctx) {
    List<ReplicaId> local = new ArrayList<>();
    List<ReplicaId> remote = new ArrayList<>();
    for (ReplicaCandidate c : ctx.candidates()) {
      (preferSameNode && c.sameNode() ? local : remote).add(c.id());
    }
    List<List<ReplicaId>> tiers = new ArrayList<>();
    if (!local.isEmpty()) {
      tiers.add(sample(local));
    }
    if (!remote.isEmpty()) {
      tiers.add(sample(remote));
    }
    return tiers;
  }

  private List<ReplicaId> sample(List<ReplicaId> from) {
    if (from.size() <= 2) {
      return List.copyOf(from);
    }
    int a = random.nextInt(from.size());
    int b = random.nextInt(from.size() - 1);
    if (b >= a) {
      b++;
    }
    return List.of(from.get(a), from.get(b));
  }
}
