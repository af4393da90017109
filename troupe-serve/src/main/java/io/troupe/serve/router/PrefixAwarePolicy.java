package io.troupe.serve.router;

import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.RequestRouterConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Prefix-cache affinity (Ray Serve LLM's {@code PrefixCacheAffinityRouter}, SGLang's cache-aware router):
 * requests whose routing keys ({@link RoutingRequest#routingKey()}, e.g. the prompt) share a prefix go to
 * the replica that was sent that prefix before, whose engine most likely still holds its KV blocks.
 *
 * <p>For a request with a key, while the load is balanced (the known queue lengths of replicas that are
 * not full differ by at most {@code imbalanced_threshold}): the first tier is the replicas holding the
 * longest learnt prefix of the key when it covers at least {@code match_rate_threshold} of the key, else
 * the replicas that have learnt the least (so new prefixes spread out). Power of two choices
 * ({@link PowerOfTwoChoicesPolicy}) supplies the next tiers, used when the first is full, and decides alone
 * for requests without a key, for a single replica, and while the load is imbalanced. Where each request
 * went is learnt in a bounded {@link PrefixIndex}; replicas that leave are forgotten, new ones start empty
 * (and so receive the next new prefixes).
 *
 * <p>Each router learns only from its own requests (Ray shares one tree per deployment through an
 * actor); with one calling ingress replica that is every request. Not thread-safe: used on its router's
 * owner thread.
 */
public final class PrefixAwarePolicy implements RoutingPolicy {
  private final RequestRouterConfig config;
  private final PowerOfTwoChoicesPolicy fallback;
  private final PrefixIndex index;
  private long affinity;
  private long spread;
  private long balancing;
  private long unkeyed;

  /** What the policy decided so far (for tests and debugging). */
  public record Decisions(long affinity, long newPrefix, long imbalanced, long noKey) {
  }

  public PrefixAwarePolicy(RequestRouterConfig config, RandomGenerator random) {
    this.config = config;
    this.fallback = new PowerOfTwoChoicesPolicy(random);
    this.index = new PrefixIndex(config.prefixBlockChars(), config.maxPrefixBlocks());
  }

  @Override
  public List<List<ReplicaId>> rank(RoutingContext ctx) {
    List<List<ReplicaId>> pow2 = fallback.rank(ctx);
    String key = ctx.request().routingKey().orElse("");
    if (key.isEmpty() || ctx.candidates().size() < 2) {
      unkeyed++;
      return pow2;
    }
    if (imbalanced(ctx)) {
      balancing++;
      return pow2;
    }
    Set<ReplicaId> among = new LinkedHashSet<>();
    ctx.candidates().forEach(c -> among.add(c.id()));
    PrefixIndex.Match m = index.match(key, among);
    List<ReplicaId> first;
    if (!m.replicas().isEmpty() && m.matchedChars() >= config.matchRateThreshold() * key.length()) {
      affinity++;
      first = List.copyOf(m.replicas());
    } else {
      spread++;
      first = leastLearnt(among);
    }
    List<List<ReplicaId>> tiers = new ArrayList<>(pow2.size() + 1);
    tiers.add(first);
    tiers.addAll(pow2);
    return tiers;
  }

  @Override
  public void onAssigned(RoutingRequest request, ReplicaId replica) {
    request.routingKey().filter(k -> !k.isEmpty()).ifPresent(k -> index.learn(k, replica));
  }

  @Override
  public void onReplicasChanged(Set<ReplicaId> replicas) {
    index.retain(replicas);
  }

  /** Replicas not full whose known queue lengths differ by more than the threshold. */
  private boolean imbalanced(RoutingContext ctx) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (ReplicaCandidate c : ctx.candidates()) {
      if (c.queueLength().isPresent() && c.queueLength().getAsInt() < ctx.maxOngoingRequests()) {
        min = Math.min(min, c.queueLength().getAsInt());
        max = Math.max(max, c.queueLength().getAsInt());
      }
    }
    return min != Integer.MAX_VALUE && max - min > config.imbalancedThreshold();
  }

  private List<ReplicaId> leastLearnt(Set<ReplicaId> among) {
    int least = Integer.MAX_VALUE;
    List<ReplicaId> out = new ArrayList<>();
    for (ReplicaId r : among) {
      int n = index.size(r);
      if (n < least) {
        least = n;
        out.clear();
      }
      if (n == least) {
        out.add(r);
      }
    }
    return out;
  }

  public Decisions decisions() {
    return new Decisions(affinity, spread, balancing, unkeyed);
  }

  /** (block, replica) entries learnt now; at most {@code max_prefix_blocks}. */
  public int learntEntries() {
    return index.entries();
  }

  /** Replicas the policy holds learnt prefixes of. */
  public Set<ReplicaId> learntReplicas() {
    return index.replicas();
  }
}
