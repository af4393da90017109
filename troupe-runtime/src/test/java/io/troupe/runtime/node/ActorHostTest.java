package io.troupe.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.resources.Allocation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ActorHostTest {
  private final HostProbe probe = new HostProbe();

  private record Ctx(ActorId actorId, int incarnation, NodeId nodeId, List<String> gpuIds) implements ActorContext {
    @Override
    public Troupe troupe() {
      throw new UnsupportedOperationException();
    }
  }

  private ActorHost host(int maxConcurrency) throws Exception {
    ActorHost h = new ActorHost(ActorId.of("h"), 0, Allocation.NONE, new Ctx(ActorId.of("h"), 0, NodeId.of("n"), List.of()),
        maxConcurrency, false);
    h.construct(ProbeActor.class.getName(), new Object[] {probe}).get(5, TimeUnit.SECONDS);
    return h;
  }

  private static Object await(CompletableFuture<Object> f) throws Exception {
    return f.get(5, TimeUnit.SECONDS);
  }

  private static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  @Test
  void callsRunOneAtATimeInArrivalOrder() throws Exception {
    ActorHost h = host(1);
    List<CompletableFuture<Object>> results = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      results.add(h.invoke("record", new Object[] {"c" + i}));
    }
    for (CompletableFuture<Object> r : results) {
      await(r);
    }
    assertThat(probe.log).containsExactlyElementsOf(IntStream.range(0, 500).mapToObj(i -> "c" + i).toList());
    assertThat(probe.maxActive.get()).isEqualTo(1);
  }

  @Test
  void concurrentSubmittersEachSeeTheirOwnOrder() throws Exception {
    ActorHost h = host(1);
    int threads = 8;
    int each = 100;
    List<Thread> submitters = new ArrayList<>();
    List<CompletableFuture<Object>> results = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      submitters.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < each; i++) {
          results.add(h.invoke("record", new Object[] {tt + ":" + i}));
        }
      }));
    }
    for (Thread t : submitters) {
      t.join(5_000);
    }
    for (CompletableFuture<Object> r : results) {
      await(r);
    }
    assertThat(probe.log).hasSize(threads * each);
    for (int t = 0; t < threads; t++) {
      String prefix = t + ":";
      assertThat(probe.log.stream().filter(s -> s.startsWith(prefix)).toList())
          .containsExactlyElementsOf(IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
    }
    assertThat(probe.maxActive.get()).isEqualTo(1);
  }

  @Test
  void maxConcurrencyRunsThatManyAtOnceAndNeverMore() throws Exception {
    ActorHost h = host(3);
    List<CompletableFuture<Object>> results = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      results.add(h.invoke("blocking", new Object[] {"b" + i}));
    }
    until(() -> probe.entered.get() >= 3, "3 calls to start");
    assertThat(probe.active.get()).isEqualTo(3);
    assertThat(results).noneMatch(CompletableFuture::isDone);
    probe.gate.countDown();
    for (CompletableFuture<Object> r : results) {
      await(r);
    }
    assertThat(probe.entered.get()).isEqualTo(9);
    assertThat(probe.maxActive.get()).isEqualTo(3);
  }

  @Test
  void aMethodReturningAStageHoldsItsSlotUntilTheStageCompletes() throws Exception {
    ActorHost h = host(1);
    CompletableFuture<Object> async = h.invoke("async", new Object[0]);
    CompletableFuture<Object> next = h.invoke("record", new Object[] {"next"});
    until(() -> probe.log.contains("async-returned"), "async() to return its stage");
    assertThatThrownBy(() -> next.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(async).isNotDone();
    probe.log.add("stage-completed");
    probe.pending.complete("done");
    assertThat(await(async)).isEqualTo("done");
    assertThat(await(next)).isEqualTo("next");
    assertThat(probe.log).containsExactly("async-returned", "stage-completed", "next");
  }

  @Test
  void failuresReachTheCaller() throws Exception {
    ActorHost h = host(1);
    assertThatThrownBy(() -> await(h.invoke("fail", new Object[0])))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> await(h.invoke("failedAsync", new Object[0])))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(h.invoke("noSuchMethod", new Object[0])))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoSuchMethodException.class);
    // The actor keeps serving after failures.
    assertThat(await(h.invoke("record", new Object[] {"ok"}))).isEqualTo("ok");
  }

  @Test
  void methodsSeeTheActorsContext() throws Exception {
    ActorHost h = host(2);
    assertThat(await(h.invoke("whoAmI", new Object[0]))).isEqualTo("h");
    assertThat(ActorContext.current()).isEmpty();
  }

  @Test
  void stopFailsQueuedCallsAndClosesTheInstance() throws Exception {
    ActorHost h = host(1);
    CompletableFuture<Object> running = h.invoke("blocking", new Object[] {"first"});
    until(() -> probe.entered.get() == 1, "the first call to start");
    List<CompletableFuture<Object>> queued = List.of(h.invoke("record", new Object[] {"q1"}),
        h.invoke("record", new Object[] {"q2"}));
    h.stop("node shutting down");
    for (CompletableFuture<Object> q : queued) {
      assertThatThrownBy(() -> await(q)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stopped before the call ran: node shutting down");
    }
    assertThatThrownBy(() -> await(h.invoke("record", new Object[] {"late"})))
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("actor h stopped");
    assertThat(probe.closed.await(5, TimeUnit.SECONDS)).isTrue();
    probe.gate.countDown();
    assertThat(await(running)).isEqualTo("first");
    assertThat(probe.log).containsExactly("first");
  }

  @Test
  void constructorErrorsCompleteTheConstructionExceptionally() {
    ActorHost h = new ActorHost(ActorId.of("f"), 0, Allocation.NONE, new Ctx(ActorId.of("f"), 0, NodeId.of("n"), List.of()), 1, false);
    assertThatThrownBy(() -> h.construct(FailingActor.class.getName(), new Object[0]).get(5, TimeUnit.SECONDS))
        .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThatThrownBy(() -> h.construct("com.example.Missing", new Object[0]).get(5, TimeUnit.SECONDS))
        .cause().isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void anInstanceConstructedAfterStopIsClosed() throws Exception {
    ActorHost h = new ActorHost(ActorId.of("s"), 0, Allocation.NONE, new Ctx(ActorId.of("s"), 0, NodeId.of("n"), List.of()), 1, false);
    CompletableFuture<Object> construction = h.construct(SlowConstructorActor.class.getName(), new Object[] {probe});
    until(() -> probe.entered.get() == 1, "the constructor to start");
    h.stop("killed while starting");
    probe.gate.countDown();
    construction.handle((v, e) -> null).get(5, TimeUnit.SECONDS);
    assertThat(probe.closed.await(2, TimeUnit.SECONDS)).as("closed").isTrue();
  }
}
