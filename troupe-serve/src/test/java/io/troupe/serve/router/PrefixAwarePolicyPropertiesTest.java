package io.troupe.serve.router;

import static io.troupe.serve.router.RouterFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.RequestRouterConfig;
import io.troupe.testkit.PropertyTimeout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random interleavings of requests from a few tenants (shared system prompt, varying question), replicas
 * joining and leaving, and queue lengths going up and down, against {@link PrefixAwarePolicy}:
 * every tier names only live candidates and the first is never empty; when the load is balanced a tenant
 * seen before leads with replicas that served it (if any is still there); when imbalanced the ranking is
 * power of two choices; learnt state stays within its bound and never names a replica that left.
 */
@PropertyTimeout(seconds = 120)
class PrefixAwarePolicyPropertiesTest {
  private static final int THRESHOLD = 2;
  private static final int MAX_ONGOING = 6;

  @Property(tries = 300)
  void rankingsAreLiveAffineWhenBalancedAndStateIsBounded(@ForAll long seed, @ForAll boolean smallIndex,
      @ForAll @Size(min = 1, max = 120) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
    // a small index evicts (affinity is then not promised); a large one never does
    int maxBlocks = smallIndex ? 40 : 100_000;
    RequestRouterConfig cfg = RequestRouterConfig.PREFIX_AWARE.withImbalancedThreshold(THRESHOLD)
        .withPrefixBlockChars(8).withMaxPrefixBlocks(maxBlocks);
    PrefixAwarePolicy policy = new PrefixAwarePolicy(cfg, new SplittableRandom(seed));
    SplittableRandom pick = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Set<ReplicaId> live = new LinkedHashSet<>(List.of(replica("r0"), replica("r1")));
    int nextReplica = 2;
    Map<ReplicaId, Integer> queue = new HashMap<>();
    Map<Integer, Set<ReplicaId>> served = new HashMap<>(); // tenant -> live replicas its requests went to
    policy.onReplicasChanged(Set.copyOf(live));
    for (int op : ops) {
      switch (op % 10) {
        case 0 -> { // a replica joins
          live.add(replica("r" + nextReplica++));
          policy.onReplicasChanged(Set.copyOf(live));
        }
        case 1 -> { // a replica leaves (keep one)
          if (live.size() > 1) {
            ReplicaId gone = new ArrayList<>(live).get((op / 10) % live.size());
            live.remove(gone);
            queue.remove(gone);
            served.values().forEach(s -> s.remove(gone));
            policy.onReplicasChanged(Set.copyOf(live));
          }
        }
        case 2 -> { // load changes
          ReplicaId r = new ArrayList<>(live).get((op / 10) % live.size());
          queue.put(r, (op / 100) % (MAX_ONGOING + 1));
        }
        default -> {
          int tenant = (op / 10) % 4;
          String key = ("tenant " + tenant + " system prompt ").repeat(4) + "question " + (op / 40);
          List<ReplicaCandidate> cs = new ArrayList<>();
          for (ReplicaId r : live) {
            Integer len = queue.get(r);
            cs.add(new ReplicaCandidate(r, NodeId.of("n"), false, len == null ? OptionalInt.empty()
                : OptionalInt.of(len), Optional.empty()));
          }
          List<List<ReplicaId>> tiers = policy.rank(new RoutingContext(
              RoutingRequest.withRoutingKey("q", key), cs, MAX_ONGOING, 0));
          assertThat(tiers).isNotEmpty();
          assertThat(tiers.get(0)).isNotEmpty();
          tiers.forEach(t -> assertThat(live).containsAll(t));
          boolean balanced = balanced(cs);
          Set<ReplicaId> homes = served.getOrDefault(tenant, Set.of());
          if (balanced && !smallIndex && !homes.isEmpty() && live.size() > 1) {
            assertThat(homes).as("tenant %d should lead with one of %s", tenant, homes).containsAll(tiers.get(0));
          }
          if (!balanced) {
            assertThat(tiers).hasSize(1); // power of two choices: all remote, one tier of two
            assertThat(tiers.get(0)).hasSizeLessThanOrEqualTo(2);
          }
          // the router would choose within the first tier; any member is consistent with the policy
          ReplicaId chosen = tiers.get(0).get(pick.nextInt(tiers.get(0).size()));
          policy.onAssigned(RoutingRequest.withRoutingKey("q", key), chosen);
          served.computeIfAbsent(tenant, t -> new LinkedHashSet<>()).add(chosen);
        }
      }
      assertThat(policy.learntEntries()).isLessThanOrEqualTo(maxBlocks);
      assertThat(live).containsAll(policy.learntReplicas());
    }
  }

  private static boolean balanced(List<ReplicaCandidate> cs) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (ReplicaCandidate c : cs) {
      if (c.queueLength().isPresent() && c.queueLength().getAsInt() < MAX_ONGOING) {
        min = Math.min(min, c.queueLength().getAsInt());
        max = Math.max(max, c.queueLength().getAsInt());
      }
    }
    return min == Integer.MAX_VALUE || max - min <= THRESHOLD;
  }
}
