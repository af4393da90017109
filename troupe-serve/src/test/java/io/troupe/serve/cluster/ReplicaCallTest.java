package io.troupe.serve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorCallException;
import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorUnavailableException;
import io.troupe.serve.api.BackPressureException;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.router.QueueLengthProber;
import io.troupe.serve.router.RoutingRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ReplicaCall} over a scripted router and scripted replicas, on a manual clock: no sockets, no actors. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReplicaCallTest {
  private static final DeploymentId D = new DeploymentId("app", "d");
  private static final ReplicaId A = new ReplicaId(D, "a");
  private static final ReplicaId B = new ReplicaId(D, "b");

  private final Clock clock = new Clock();
  private final Router router = new Router();
  private final Replicas replicas = new Replicas();
  private final Instant deadline = clock.now.plusSeconds(10);
  private final ReplicaRequest.Http request = new ReplicaRequest.Http("req-1",
      new ServeRequest("GET", "/", "/", "", Map.of(), new byte[0]));

  private CallOutcome call() throws InterruptedException {
    return new ReplicaCall(router, replicas, clock).call(request, null, deadline);
  }

  @Test
  void anAnswerIsReturnedWithItsReplicaAndQueueLengthFeedsTheRouter() throws Exception {
    router.next(A);
    ServeResponse ok = ServeResponse.text(200, "hi");
    replicas.script(A, () -> CompletableFuture.completedFuture(new ReplicaResult.Ok(ok, 2)));

    assertThat(call()).isEqualTo(new CallOutcome.Answered(A, ok));
    assertThat(router.events).containsExactly("queue a=2");
    assertThat(replicas.sent).containsExactly(A);
    assertThat(router.requests.getFirst().id()).isEqualTo("req-1");
  }

  @Test
  void aFullReplicaIsRoutedAgain() throws Exception {
    router.next(A, B);
    replicas.script(A, () -> CompletableFuture.completedFuture(new ReplicaResult.Rejected(4, false)));
    replicas.script(B, () -> CompletableFuture.completedFuture(new ReplicaResult.Ok("v", 0)));

    assertThat(call()).isEqualTo(new CallOutcome.Answered(B, "v"));
    assertThat(router.events).containsExactly("queue a=4", "queue b=0");
    assertThat(router.requests).hasSize(2);
  }

  @Test
  void overloadIsReportedWithoutSendingAnything() throws Exception {
    BackPressureException refusal = new BackPressureException("app#d", 3, 3);
    router.refuse = refusal;

    assertThat(call()).isEqualTo(new CallOutcome.Overloaded(refusal));
    assertThat(replicas.sent).isEmpty();
  }

  @Test
  void aRoutingFailureIsAPlatformFailureWithoutReplica() throws Exception {
    IllegalStateException boom = new IllegalStateException("router closed");
    router.refuse = boom;

    assertThat(call()).isEqualTo(new CallOutcome.Failed(java.util.Optional.empty(), boom));
  }

  @Test
  void aUserErrorCarriesItsIdAndReplica() throws Exception {
    router.next(A);
    replicas.script(A, () -> CompletableFuture.completedFuture(new ReplicaResult.Failed("e-7", "boom", 1)));

    assertThat(call()).isEqualTo(new CallOutcome.UserError(A, "e-7", "boom"));
    assertThat(router.events).containsExactly("queue a=1");
  }

  @Test
  void aReplicaThatDiesIsReportedAndTheRequestRetriedElsewhere() throws Exception {
    router.next(A, B);
    replicas.script(A, () -> CompletableFuture.failedFuture(new ActorUnavailableException("node gone")));
    replicas.script(B, () -> CompletableFuture.completedFuture(new ReplicaResult.Ok("v", 0)));

    assertThat(call()).isEqualTo(new CallOutcome.Answered(B, "v"));
    assertThat(router.events).containsExactly("died a", "queue b=0");
  }

  @Test
  void aReplicaKnownDeadBeforeSendingIsSkippedWithoutCountingADeath() throws Exception {
    router.next(A, B);
    replicas.script(A, () -> {
      throw new QueueLengthProber.ReplicaDeadException("no replica actor named a");
    });
    replicas.script(B, () -> CompletableFuture.completedFuture(new ReplicaResult.Ok("v", 0)));

    assertThat(call()).isEqualTo(new CallOutcome.Answered(B, "v"));
    assertThat(router.events).containsExactly("died a", "queue b=0");
  }

  @Test
  void deathsBeyondTheRetryLimitEndTheCall() throws Exception {
    ActorDiedException death = new ActorDiedException(ActorId.of("x"), "killed");
    for (int i = 0; i <= ReplicaCall.MAX_DEATH_RETRIES; i++) {
      ReplicaId r = new ReplicaId(D, "r" + i);
      router.next(r);
      replicas.script(r, () -> CompletableFuture.failedFuture(death));
    }

    CallOutcome outcome = call();

    assertThat(outcome).isEqualTo(new CallOutcome.DiedTooOften(ReplicaCall.MAX_DEATH_RETRIES + 1, death));
    assertThat(replicas.sent).hasSize(ReplicaCall.MAX_DEATH_RETRIES + 1);
    assertThat(router.events).allMatch(e -> e.startsWith("died "));
  }

  @Test
  void aFailedCallThatIsNotADeathIsAPlatformFailureAndFreesTheSlot() throws Exception {
    router.next(A);
    ActorCallException failure = new ActorCallException("bad payload", "java.lang.IllegalArgumentException", "", null);
    replicas.script(A, () -> CompletableFuture.failedFuture(failure));

    assertThat(call()).isEqualTo(new CallOutcome.Failed(java.util.Optional.of(A), failure));
    assertThat(router.events).containsExactly("finished a");
  }

  @Test
  void aCallPastItsDeadlineIsCancelledOnTheReplica() throws Exception {
    router.next(A);
    CompletableFuture<ReplicaResult> never = new CompletableFuture<>();
    replicas.script(A, () -> {
      clock.now = deadline; // the replica takes all the time there is
      return never;
    });

    assertThat(call()).isEqualTo(new CallOutcome.TimedOut());
    assertThat(router.events).containsExactly("finished a");
    assertThat(replicas.cancelled).containsExactly("a/req-1");
  }

  @Test
  void waitingForAReplicaRunsTheWaitHookUntilTheDeadline() throws Exception {
    CompletableFuture<ReplicaId> unassigned = new CompletableFuture<>();
    router.pending = unassigned;
    List<Instant> hooks = new ArrayList<>();
    ReplicaCall call = new ReplicaCall(router, replicas, clock, () -> {
      hooks.add(clock.now);
      clock.now = clock.now.plusSeconds(4);
    }, Duration.ofMillis(1));

    assertThat(call.call(request, "key", deadline)).isEqualTo(new CallOutcome.TimedOut());
    assertThat(hooks).hasSize(3); // at 0 s, 4 s, 8 s; at 12 s the deadline (10 s) has passed
    assertThat(unassigned).isCancelled();
    assertThat(router.requests.getFirst().routingKey()).contains("key");
    assertThat(replicas.sent).isEmpty();
  }

  @Test
  void aDeadlineAlreadyPassedTimesOutBeforeRouting() throws Exception {
    clock.now = deadline.plusMillis(1);

    assertThat(call()).isEqualTo(new CallOutcome.TimedOut());
    assertThat(router.requests).isEmpty();
  }

  // ------------------------------------------------------------------ fakes

  private static final class Clock implements InstantSource {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Assigns scripted replicas in order; records what the call reports back. */
  private static final class Router implements ReplicaCall.Routing {
    final Deque<ReplicaId> assignments = new ArrayDeque<>();
    final List<RoutingRequest> requests = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    Throwable refuse;
    CompletableFuture<ReplicaId> pending;

    void next(ReplicaId... ids) {
      assignments.addAll(List.of(ids));
    }

    @Override
    public CompletableFuture<CompletableFuture<ReplicaId>> assign(RoutingRequest request) {
      requests.add(request);
      if (refuse != null) {
        return CompletableFuture.failedFuture(refuse);
      }
      if (pending != null) {
        return CompletableFuture.completedFuture(pending);
      }
      return CompletableFuture.completedFuture(CompletableFuture.completedFuture(assignments.removeFirst()));
    }

    @Override
    public void onQueueLength(ReplicaId replica, int length) {
      events.add("queue " + replica.unique() + "=" + length);
    }

    @Override
    public void onReplicaDied(ReplicaId replica) {
      events.add("died " + replica.unique());
    }

    @Override
    public void onRequestFinished(ReplicaId replica) {
      events.add("finished " + replica.unique());
    }
  }

  /** Answers each send with the replica's next scripted future. */
  private static final class Replicas implements ReplicaCall.Replicas {
    final Map<ReplicaId, Deque<Supplier<CompletableFuture<ReplicaResult>>>> scripts = new java.util.HashMap<>();
    final List<ReplicaId> sent = new ArrayList<>();
    final List<String> cancelled = new ArrayList<>();

    void script(ReplicaId r, Supplier<CompletableFuture<ReplicaResult>> answer) {
      scripts.computeIfAbsent(r, k -> new ArrayDeque<>()).add(answer);
    }

    @Override
    public CompletableFuture<ReplicaResult> send(ReplicaId replica, ReplicaRequest request) {
      sent.add(replica);
      return scripts.get(replica).removeFirst().get();
    }

    @Override
    public void cancel(ReplicaId replica, String requestId, CompletableFuture<ReplicaResult> call) {
      cancelled.add(replica.unique() + "/" + requestId);
    }
  }
}
