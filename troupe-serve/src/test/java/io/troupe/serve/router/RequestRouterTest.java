package io.troupe.serve.router;

import static io.troupe.serve.router.RouterFixtures.on;
import static io.troupe.serve.router.RouterFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.BackPressureException;
import io.troupe.serve.api.ReplicaId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RequestRouterTest {
  private final RouterFixtures.Clock clock = new RouterFixtures.Clock();
  private final RouterFixtures.Prober prober = new RouterFixtures.Prober();

  private RequestRouter router(RoutingPolicy policy) {
    return new RequestRouter("D", NodeId.of("me"), policy, prober, clock, new SplittableRandom(7), RouterConfig.DEFAULT,
        Runnable::run);
  }

  private RequestRouter pow2() {
    return router(new PowerOfTwoChoicesPolicy(new SplittableRandom(11)));
  }

  @Test
  void probesAndPicksTheShorterQueue() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "a", "b"), 5, -1);
    CompletableFuture<ReplicaId> f = r.assign(RoutingRequest.of("1"));
    assertThat(f).isNotDone();
    assertThat(prober.open.keySet()).containsExactlyInAnyOrder(replica("a"), replica("b"));
    prober.answer(replica("a"), 3);
    assertThat(f).isNotDone(); // waits for both choices
    prober.answer(replica("b"), 1);
    assertThat(f).isCompletedWithValue(replica("b"));
    // cached now: no new probes, and b's cached length grew by the request just sent
    CompletableFuture<ReplicaId> g = r.assign(RoutingRequest.of("2"));
    assertThat(g).isCompletedWithValue(replica("b"));
    assertThat(prober.probed).hasSize(2);
    CompletableFuture<ReplicaId> h = r.assign(RoutingRequest.of("3"));
    assertThat(h.getNow(null)).isIn(replica("a"), replica("b")); // b is at 3 now, a at 3: a tie, either
  }

  @Test
  void equalQueueLengthsAreBrokenAtRandomNotByTierOrder() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "a", "b"), 5, -1);
    r.assign(RoutingRequest.of("probe")).cancel(false);
    prober.answerAll(0);
    Map<ReplicaId, Integer> picks = new LinkedHashMap<>();
    for (int i = 0; i < 400; i++) {
      ReplicaId chosen = r.assign(RoutingRequest.of("q" + i)).getNow(null);
      assertThat(chosen).isNotNull();
      picks.merge(chosen, 1, Integer::sum);
      r.onRequestFinished(chosen); // both back at 0: the next request sees a tie again
    }
    // a fixed tie-break (always the first of the tier) would send all 400 to one replica
    assertThat(picks.get(replica("a"))).isBetween(120, 280);
    assertThat(picks.get(replica("b"))).isBetween(120, 280);
  }

  @Test
  void cacheExpiresAfterTtl() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "a"), 5, -1);
    r.assign(RoutingRequest.of("1"));
    prober.answerAll(0);
    clock.advance(Duration.ofSeconds(11));
    CompletableFuture<ReplicaId> f = r.assign(RoutingRequest.of("2"));
    assertThat(f).isNotDone();
    assertThat(prober.probed).hasSize(2);
  }

  @Test
  void sameNodeReplicasArePreferredWhileTheyHaveRoom() {
    RequestRouter r = pow2();
    Map<ReplicaId, NodeId> m = new LinkedHashMap<>(on("me", "local"));
    m.putAll(on("other", "far"));
    r.updateReplicas(m, 2, -1);
    r.onQueueLength(replica("far"), 0);
    r.onQueueLength(replica("local"), 1);
    assertThat(r.assign(RoutingRequest.of("1"))).isCompletedWithValue(replica("local"));
    // local is now full (2): the next goes to the remote tier
    assertThat(r.assign(RoutingRequest.of("2"))).isCompletedWithValue(replica("far"));
  }

  @Test
  void backsOffWhenAllAreFullAndKeepsFifoOrder() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "a"), 1, -1);
    CompletableFuture<ReplicaId> first = r.assign(RoutingRequest.of("1"));
    prober.answer(replica("a"), 1); // full
    assertThat(first).isNotDone();
    CompletableFuture<ReplicaId> second = r.assign(RoutingRequest.of("2"));
    assertThat(r.waiting()).isEqualTo(2);
    // backoff[0] = 0: the next tick re-probes the full replica
    r.tick();
    assertThat(prober.open).containsKey(replica("a"));
    prober.answer(replica("a"), 1);
    r.tick();
    assertThat(r.nextWakeup()).contains(clock.instant().plus(Duration.ofMillis(50)));
    clock.advance(Duration.ofMillis(49));
    r.tick();
    assertThat(prober.open).isEmpty(); // still backing off
    clock.advance(Duration.ofMillis(1));
    r.tick();
    prober.answer(replica("a"), 0);
    assertThat(first).isCompletedWithValue(replica("a"));
    assertThat(second).isNotDone(); // FIFO: the first got the free slot
    r.onRequestFinished(replica("a"));
    assertThat(second).isCompletedWithValue(replica("a"));
  }

  @Test
  void deadReplicasAreDroppedAtOnce() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "a", "b"), 5, -1);
    CompletableFuture<ReplicaId> f = r.assign(RoutingRequest.of("1"));
    prober.dead(replica("a"));
    assertThat(r.replicas()).containsExactly(replica("b"));
    prober.answer(replica("b"), 4);
    assertThat(f).isCompletedWithValue(replica("b"));
    r.onReplicaDied(replica("b"));
    CompletableFuture<ReplicaId> g = r.assign(RoutingRequest.of("2"));
    assertThat(g).isNotDone();
    assertThat(r.replicas()).isEmpty();
    r.updateReplicas(on("other", "c"), 5, -1);
    prober.answer(replica("c"), 0);
    assertThat(g).isCompletedWithValue(replica("c"));
  }

  @Test
  void unansweredProbeCountsAsFullAfterTimeout() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "slow", "ok"), 5, -1);
    CompletableFuture<ReplicaId> f = r.assign(RoutingRequest.of("1"));
    prober.answer(replica("ok"), 4);
    assertThat(f).isNotDone();
    clock.advance(Duration.ofMillis(100));
    r.tick();
    assertThat(f).isCompletedWithValue(replica("ok"));
  }

  @Test
  void maxQueuedRequestsOverflowIsTypedBackPressure() {
    RequestRouter r = pow2();
    r.updateReplicas(on("other", "a"), 1, 2);
    r.assign(RoutingRequest.of("1"));
    r.assign(RoutingRequest.of("2"));
    assertThatThrownBy(() -> r.assign(RoutingRequest.of("3"))).isInstanceOf(BackPressureException.class)
        .hasMessageContaining("max_queued_requests=2")
        .satisfies(e -> assertThat(((BackPressureException) e).queued()).isEqualTo(2));
    prober.answerAll(0);
    assertThat(r.waiting()).isEqualTo(1);
    assertThat(r.assign(RoutingRequest.of("4"))).isNotDone(); // room again
  }

  @Test
  void pluggablePolicyTiersAreHonoured() {
    List<RoutingContext> seen = new ArrayList<>();
    RequestRouter r = router(ctx -> {
      seen.add(ctx);
      return List.of(List.of(replica("b")), List.of(replica("a")));
    });
    r.updateReplicas(on("other", "a", "b"), 2, -1);
    r.onQueueLength(replica("a"), 0);
    r.onQueueLength(replica("b"), 1);
    assertThat(r.assign(RoutingRequest.of("1"))).isCompletedWithValue(replica("b")); // tier order beats length
    assertThat(r.assign(RoutingRequest.of("2"))).isCompletedWithValue(replica("a")); // b full: next tier
    assertThat(seen.get(0).candidates()).hasSize(2)
        .allMatch(c -> c.queueLength().isPresent() && c.probeAge().isPresent());
  }

  /** A policy that ranks all candidates as one tier and records the hooks the router calls. */
  private static final class Recording implements RoutingPolicy {
    final List<String> calls = new ArrayList<>();

    @Override
    public List<List<ReplicaId>> rank(RoutingContext ctx) {
      return List.of(ctx.candidates().stream().map(ReplicaCandidate::id).toList());
    }

    @Override
    public void onAssigned(RoutingRequest request, ReplicaId replica) {
      calls.add("assigned " + request.id() + " " + replica.unique() + " key=" + request.routingKey().orElse("-"));
    }

    @Override
    public void onReplicasChanged(java.util.Set<ReplicaId> replicas) {
      calls.add("replicas " + replicas.stream().map(ReplicaId::unique).sorted().toList());
    }
  }

  @Test
  void policiesHearOfAssignmentsAndReplicaChangesAndCanBeSwapped() {
    Recording first = new Recording();
    RequestRouter r = router(first);
    r.updateReplicas(on("other", "a", "b"), 5, -1);
    CompletableFuture<ReplicaId> f = r.assign(RoutingRequest.withRoutingKey("1", "prompt"));
    prober.answer(replica("a"), 0);
    prober.answer(replica("b"), 3);
    assertThat(f).isCompletedWithValue(replica("a"));
    r.onReplicaDied(replica("b"));
    assertThat(first.calls).containsExactly("replicas [a, b]", "assigned 1 a key=prompt", "replicas [a]");
    Recording second = new Recording();
    r.usePolicy(second);
    assertThat(r.assign(RoutingRequest.of("2"))).isCompletedWithValue(replica("a"));
    assertThat(second.calls).containsExactly("replicas [a]", "assigned 2 a key=-");
    assertThat(first.calls).hasSize(3); // the old policy hears nothing more
  }
}
