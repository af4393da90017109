package io.troupe.serve.router;

import static io.troupe.serve.router.RouterFixtures.on;
import static io.troupe.serve.router.RouterFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.RequestRouterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PrefixAwarePolicyTest {
  private static final String SYS_A = "You are the helpdesk of tenant A. ".repeat(8);
  private static final String SYS_B = "You are the billing assistant of tenant B. ".repeat(8);
  private static final RequestRouterConfig CONFIG = RequestRouterConfig.PREFIX_AWARE.withImbalancedThreshold(3)
      .withPrefixBlockChars(16);

  private final RouterFixtures.Clock clock = new RouterFixtures.Clock();
  private final RouterFixtures.Prober prober = new RouterFixtures.Prober();

  private static RoutingContext ctx(String key, Map<String, Integer> queues) {
    List<ReplicaCandidate> cs = new ArrayList<>();
    queues.forEach((id, len) -> cs.add(new ReplicaCandidate(replica(id), NodeId.of("n"), false,
        len == null ? OptionalInt.empty() : OptionalInt.of(len), Optional.empty())));
    return new RoutingContext(RoutingRequest.withRoutingKey("r", key), cs, 8, 0);
  }

  private static Map<String, Integer> queues(Object... kv) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }

  @Test
  void aLearntPrefixLeadsTheRankingWhileLoadIsBalanced() {
    PrefixAwarePolicy p = new PrefixAwarePolicy(CONFIG, new SplittableRandom(1));
    p.onReplicasChanged(Set.of(replica("a"), replica("b"), replica("c")));
    p.onAssigned(RoutingRequest.withRoutingKey("1", SYS_A + "How do I reset my password?"), replica("b"));
    List<List<ReplicaId>> tiers = p.rank(ctx(SYS_A + "Where is my invoice?", queues("a", 0, "b", 2, "c", 1)));
    assertThat(tiers.get(0)).containsExactly(replica("b"));
    assertThat(tiers.size()).isGreaterThan(1); // power of two choices behind it, for when b is full
    assertThat(p.decisions().affinity()).isEqualTo(1);
  }

  @Test
  void imbalancedLoadFallsBackToPowerOfTwoChoices() {
    PrefixAwarePolicy p = new PrefixAwarePolicy(CONFIG, new SplittableRandom(1));
    p.onAssigned(RoutingRequest.withRoutingKey("1", SYS_A + "q1"), replica("b"));
    List<List<ReplicaId>> tiers = p.rank(ctx(SYS_A + "q2", queues("a", 0, "b", 4)));
    assertThat(tiers).containsExactly(List.of(replica("a"), replica("b"))); // pow2's single tier of two
    assertThat(p.decisions().imbalanced()).isEqualTo(1);
    // a full replica's length does not count as imbalance (the router skips it anyway)
    tiers = p.rank(ctx(SYS_A + "q2", queues("a", 0, "b", 8)));
    assertThat(tiers.get(0)).containsExactly(replica("b"));
  }

  @Test
  void newPrefixesGoToTheReplicasThatLearntLeast() {
    PrefixAwarePolicy p = new PrefixAwarePolicy(CONFIG, new SplittableRandom(1));
    p.onAssigned(RoutingRequest.withRoutingKey("1", SYS_A + "q1"), replica("a"));
    List<List<ReplicaId>> tiers = p.rank(ctx(SYS_B + "q1", queues("a", 0, "b", 0, "c", 0)));
    assertThat(tiers.get(0)).containsExactlyInAnyOrder(replica("b"), replica("c"));
    assertThat(p.decisions().newPrefix()).isEqualTo(1);
  }

  @Test
  void requestsWithoutAKeyOrWithOneReplicaArePlainPowerOfTwo() {
    PrefixAwarePolicy p = new PrefixAwarePolicy(CONFIG, new SplittableRandom(1));
    List<ReplicaCandidate> cs = ctx("x", queues("a", 0, "b", 0)).candidates();
    assertThat(p.rank(new RoutingContext(RoutingRequest.of("r"), cs, 8, 0))).hasSize(1);
    assertThat(p.rank(ctx(SYS_A, queues("a", 0)))).containsExactly(List.of(replica("a")));
    assertThat(p.decisions().noKey()).isEqualTo(2);
  }

  @Test
  void removedReplicasAreForgottenAndANewOneGetsTheNextNewPrefix() {
    PrefixAwarePolicy p = new PrefixAwarePolicy(CONFIG, new SplittableRandom(1));
    p.onAssigned(RoutingRequest.withRoutingKey("1", SYS_A + "q"), replica("a"));
    p.onAssigned(RoutingRequest.withRoutingKey("2", SYS_B + "q"), replica("b"));
    p.onReplicasChanged(Set.of(replica("b"), replica("c"))); // a left, c joined
    assertThat(p.learntReplicas()).containsExactly(replica("b"));
    // a's tenant is new again: it goes to c, which has learnt nothing
    assertThat(p.rank(ctx(SYS_A + "q2", queues("b", 0, "c", 0))).get(0)).containsExactly(replica("c"));
    assertThat(p.rank(ctx(SYS_B + "q2", queues("b", 0, "c", 0))).get(0)).containsExactly(replica("b"));
  }

  @Test
  void throughTheRouterTenantsStickToTheirReplicaAndOverflowWhenItIsFull() {
    PrefixAwarePolicy policy = new PrefixAwarePolicy(RequestRouterConfig.PREFIX_AWARE.withImbalancedThreshold(10),
        new SplittableRandom(3));
    RequestRouter r = new RequestRouter("D", NodeId.of("me"), policy, prober, clock, new SplittableRandom(5),
        new RouterConfig(Duration.ofHours(1), Duration.ofMillis(100), RouterConfig.DEFAULT.backoff()),
        Runnable::run);
    r.updateReplicas(on("other", "a", "b"), 3, -1);
    CompletableFuture<ReplicaId> first = r.assign(RoutingRequest.withRoutingKey("0", SYS_A + "q0"));
    prober.answerAll(0);
    ReplicaId home = first.getNow(null);
    assertThat(home).isNotNull();
    for (int i = 1; i < 3; i++) { // home fills up to max_ongoing_requests = 3
      assertThat(r.assign(RoutingRequest.withRoutingKey("" + i, SYS_A + "q" + i))).isCompletedWithValue(home);
    }
    ReplicaId other = home.equals(replica("a")) ? replica("b") : replica("a");
    assertThat(r.assign(RoutingRequest.withRoutingKey("3", SYS_A + "q3"))).isCompletedWithValue(other);
    r.onRequestFinished(home);
    // balanced again (2 vs 1): back home, where the prefix is longest... both hold it now: shorter queue wins
    assertThat(r.assign(RoutingRequest.withRoutingKey("4", SYS_A + "q4")).getNow(null)).isEqualTo(other);
    assertThat(policy.decisions().affinity()).isEqualTo(4);
  }
}
