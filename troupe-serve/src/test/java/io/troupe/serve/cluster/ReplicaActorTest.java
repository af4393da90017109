package io.troupe.serve.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ReplicaActor} as a plain object (no cluster): limits, hooks, errors. */
@Timeout(30)
class ReplicaActorTest {

  /** Blocks in handle until released; counts reconfigure calls. */
  public static class Gate {
    static final CountDownLatch ENTERED = new CountDownLatch(2);
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    public volatile String prefix;
    public volatile boolean healthy = true;

    public Gate(String prefix) {
      this.prefix = prefix;
    }

    public void reconfigure(Map<String, Object> cfg) {
      prefix = (String) cfg.get("prefix");
    }

    public void checkHealth() {
      if (!healthy) {
        throw new IllegalStateException("sick");
      }
    }

    public ServeResponse handle(ServeRequest r) throws InterruptedException {
      if (r.queryParam("wait").isPresent()) {
        ENTERED.countDown();
        RELEASE.await();
      }
      if (r.queryParam("fail").isPresent()) {
        throw new IllegalArgumentException("bad input");
      }
      return ServeResponse.ok(prefix + r.queryParam("name").orElse("?"));
    }

    public Integer add(Integer a, Integer b) {
      return a + b;
    }
  }

  @Test
  void servesReconfiguresAndEnforcesMaxOngoing() throws Throwable {
    ReplicaActor r = new ReplicaActor("app#Gate#1", Gate.class.getName(), List.of("hi "), Map.of("prefix", "yo "), 2);
    ReplicaResult ok = r.handleRequest(ServeRequest.get("/", "name=x"));
    assertThat(ok).isInstanceOf(ReplicaResult.Ok.class);
    ServeResponse resp = (ServeResponse) ((ReplicaResult.Ok) ok).value();
    assertThat(resp.bodyAsString()).isEqualTo("yo x");
    assertThat(resp.headers()).containsEntry("x-troupe-replica", "app#Gate#1");

    CompletableFuture<ReplicaResult> a = CompletableFuture.supplyAsync(() -> r.handleRequest(ServeRequest.get("/", "wait")), r2 -> Thread.ofVirtual().start(r2));
    CompletableFuture<ReplicaResult> b = CompletableFuture.supplyAsync(() -> r.handleRequest(ServeRequest.get("/", "wait")), r2 -> Thread.ofVirtual().start(r2));
    assertThat(Gate.ENTERED.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.queueLength()).isEqualTo(2);
    assertThat(r.handleRequest(ServeRequest.get("/", "name=y"))).isEqualTo(new ReplicaResult.Rejected(2, false));
    r.updateRuntime(Map.of("prefix", "hey "), 3); // in place, while requests run
    assertThat(r.handleRequest(ServeRequest.get("/", "name=z"))).isInstanceOf(ReplicaResult.Ok.class);
    Gate.RELEASE.countDown();
    assertThat(((ServeResponse) ((ReplicaResult.Ok) a.join()).value()).bodyAsString()).isEqualTo("hey ?");
    b.join();
    assertThat(r.queueLength()).isZero();
    assertThat(r.invoke("add", List.of(2, 3))).isEqualTo(new ReplicaResult.Ok(5, 0));
  }

  @Test
  void userErrorsAreResultsWithAnIdAndHealthRunsTheHook() throws Throwable {
    ReplicaActor r = new ReplicaActor("app#Gate#2", Gate.class.getName(), List.of("p"), null, 1);
    ReplicaResult f = r.handleRequest(ServeRequest.get("/", "fail"));
    assertThat(f).isInstanceOfSatisfying(ReplicaResult.Failed.class, x -> {
      assertThat(x.errorId()).hasSize(16);
      assertThat(x.error()).contains("IllegalArgumentException: bad input");
    });
    assertThat(r.handleRequest(ServeRequest.get("/", "name=q"))).isInstanceOf(ReplicaResult.Ok.class);
    assertThat(r.checkHealth()).isTrue();
    r.startDraining();
    assertThat(r.handleRequest(ServeRequest.get("/", "name=q"))).isEqualTo(new ReplicaResult.Rejected(0, true));
  }

  /** Blocks in handle until interrupted (a latch nobody releases); closeable. */
  public static class Sleeper implements AutoCloseable {
    static final CountDownLatch ENTERED = new CountDownLatch(1);
    static final CountDownLatch NEVER = new CountDownLatch(1);
    volatile boolean closed;

    public ServeResponse handle(ServeRequest r) throws InterruptedException {
      ENTERED.countDown();
      NEVER.await(60, TimeUnit.SECONDS);
      return ServeResponse.ok("not interrupted");
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void aCancelledRequestIsInterruptedAndFreesItsSlot() throws Throwable {
    ReplicaActor r = new ReplicaActor("app#Sleeper#1", Sleeper.class.getName(), List.of(), null, 1);
    ServeRequest req = new ServeRequest("GET", "/", "/", "", Map.of(ReplicaActor.REQUEST_ID_HEADER, List.of("rq-1")),
        new byte[0]);
    CompletableFuture<ReplicaResult> running = new CompletableFuture<>();
    Thread t = Thread.ofVirtual().start(() -> {
      running.complete(r.handleRequest(req));
      if (Thread.currentThread().isInterrupted()) {
        running.obtrudeException(new AssertionError("the cancel's interrupt leaked out of the request"));
      }
    });
    assertThat(Sleeper.ENTERED.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.queueLength()).isEqualTo(1);
    assertThat(r.cancelRequest("other")).isFalse();
    assertThat(r.cancelRequest("rq-1")).isTrue();
    assertThat(running.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(ReplicaResult.Failed.class,
        f -> assertThat(f.error()).contains("InterruptedException"));
    t.join(Duration.ofSeconds(10));
    assertThat(r.queueLength()).isZero();
    assertThat(r.cancelRequest("rq-1")).isFalse(); // done: nothing to interrupt
  }

  @Test
  void closingTheReplicaClosesTheUsersObject() throws Throwable {
    ReplicaActor r = new ReplicaActor("app#Sleeper#2", Sleeper.class.getName(), List.of(), null, 1);
    java.lang.reflect.Field f = ReplicaActor.class.getDeclaredField("user");
    f.setAccessible(true);
    Sleeper user = (Sleeper) f.get(r);
    r.close();
    assertThat(user.closed).isTrue();
    assertThat(r.handleRequest(ServeRequest.get("/", ""))).isEqualTo(new ReplicaResult.Rejected(0, true));
  }

  @Test
  void constructorProblemsFailTheReplica() {
    assertThatThrownBy(() -> new ReplicaActor("a#b#c", "no.such.Class", List.of(), null, 1))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> new ReplicaActor("a#b#c", Gate.class.getName(), List.of(), null, 1))
        .hasMessageContaining("no public constructor accepting 0 argument(s)");
    assertThatThrownBy(() -> new ReplicaActor("a#b#c", Gate.class.getName(), List.of("x"), "not-a-map", 1))
        .hasMessageContaining("no public method reconfigure");
  }
}
