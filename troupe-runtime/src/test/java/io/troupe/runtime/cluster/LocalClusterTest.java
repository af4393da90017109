package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorCallException;
import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeException;
import io.troupe.testkit.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several nodes in one JVM over real cluster transport: actors, placement, calls, failures. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalClusterTest {
  static LocalCluster cluster;
  static Troupe troupe;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(4).gpusPerWorker(2)
        .workerLabels(List.of(Map.of("zone", "a"), Map.of("zone", "b"))).build());
    troupe = cluster.troupe();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ActorOptions on(int worker) {
    return ActorOptions.builder().cpus(1)
        .strategy(SchedulingStrategy.nodeAffinity(cluster.worker(worker).nodeId(), false)).build();
  }

  @Test
  void statusListsThreeAliveNodesWithResources() {
    ClusterStatus s = troupe.status().join();
    assertThat(s.nodes()).hasSize(3);
    assertThat(s.aliveNodes()).isEqualTo(3);
    NodeInfo head = s.nodes().stream().filter(NodeInfo::isHead).findFirst().orElseThrow();
    assertThat(head.resourcesTotal().get("CPU")).isEqualTo(4.0);
    assertThat(s.nodes().stream().filter(n -> !n.isHead()).map(n -> n.gpuIds()).toList())
        .containsOnly(List.of("0", "1"));
  }

  @Test
  void crossNodeCallsKeepOrder() throws Exception {
    ActorHandle<Counter> c = troupe.createActor(Counter.class, on(1), 10);
    List<CompletableFuture<Integer>> fs = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      fs.add(c.call(Counter::add, i));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(fs.get(49).join()).isEqualTo(10 + 50 * 51 / 2);
    List<Integer> seen = c.call(Counter::seen).join();
    assertThat(seen).isSorted().hasSize(50);
    assertThat(c.<String>call("node").join()).isEqualTo(cluster.worker(1).nodeId().value());
  }

  @Test
  void sameNodeCallsWork() {
    ActorOptions onHead = ActorOptions.builder().cpus(0.5)
        .strategy(SchedulingStrategy.nodeAffinity(cluster.head().nodeId(), false)).build();
    ActorHandle<Counter> c = troupe.createActor(Counter.class, onHead);
    assertThat(c.call(Counter::add, 3).join()).isEqualTo(3);
    assertThat(c.call(Counter::node).join()).isEqualTo(cluster.head().nodeId().value());
  }

  @Test
  void namedActorIsFoundFromAnotherNode() {
    troupe.createActor(Counter.class, on(0).toBuilder().name("shared").build(), 7);
    Troupe fromWorker = cluster.worker(1).client();
    ActorHandle<Counter> h = fromWorker.getActor("shared", Counter.class).orElseThrow();
    assertThat(h.call(Counter::add, 1).join()).isEqualTo(8);
    assertThatThrownBy(() -> troupe.createActor(Counter.class, on(0).toBuilder().name("shared").build()))
        .isInstanceOf(TroupeException.class).hasMessageContaining("already exists");
  }

  @Test
  void gpuActorsGetDistinctInstanceIds() {
    ActorOptions gpu = on(0).toBuilder().gpus(1).build();
    ActorHandle<Counter> a = troupe.createActor(Counter.class, gpu);
    ActorHandle<Counter> b = troupe.createActor(Counter.class, gpu);
    List<String> ga = a.call(Counter::gpus).join();
    List<String> gb = b.call(Counter::gpus).join();
    assertThat(ga).hasSize(1);
    assertThat(gb).hasSize(1);
    assertThat(ga).doesNotContainAnyElementsOf(gb);
    assertThat(a.call(Counter::childCudaDevices).join()).isEqualTo(ga.get(0));
    troupe.kill(a.id()).join();
    troupe.kill(b.id()).join();
  }

  @Test
  void methodExceptionFailsTheCallButNotTheActor() {
    ActorHandle<Counter> c = troupe.createActor(Counter.class, on(0));
    assertThatThrownBy(() -> c.call(Counter::fail, "boom").join())
        .hasCauseInstanceOf(ActorCallException.class).hasMessageContaining("boom");
    assertThat(c.call(Counter::add, 2).join()).isEqualTo(2);
  }

  @Test
  void constructorFailureMakesTheActorDeadWithCause() {
    ActorHandle<FailingConstructor> f = troupe.createActor(FailingConstructor.class, on(0));
    assertThatThrownBy(() -> troupe.waitAlive(f.id(), Duration.ofSeconds(20)).join())
        .hasCauseInstanceOf(ActorDiedException.class).hasMessageContaining("bad config");
    ActorInfo info = f.info().join();
    assertThat(info.state()).isEqualTo(ActorState.DEAD);
    assertThat(info.deathCause()).contains("bad config");
  }

  @Test
  void infeasibleDemandIsReportedNotSilentlyPending() {
    ActorHandle<Counter> big = troupe.createActor(Counter.class, ActorOptions.builder().cpus(64).build());
    ClusterStatus s = pollStatus(st -> !st.infeasibleDemands().isEmpty());
    assertThat(s.infeasibleDemands().get(0).reason()).contains("CPU");
    assertThat(big.info().join().state()).isEqualTo(ActorState.PENDING_CREATION);
    troupe.kill(big.id()).join();
  }

  @Test
  void killedActorFailsCallsWithDeathCause() {
    ActorHandle<Counter> c = troupe.createActor(Counter.class, on(1));
    c.call(Counter::get).join();
    troupe.kill(c.id()).join();
    assertThatThrownBy(() -> c.call(Counter::get).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ActorDiedException.class).hasMessageContaining("killed");
  }

  @Test
  void labelSelectorPlacesOnMatchingNode() {
    ActorHandle<Counter> c = troupe.createActor(Counter.class, ActorOptions.builder().cpus(0.1)
        .strategy(SchedulingStrategy.labels(Map.of("zone", "b"))).build());
    assertThat(c.call(Counter::node).join()).isEqualTo(cluster.worker(1).nodeId().value());
  }

  @Test
  void restApiShowsOneActorOrSaysNotFound() throws Exception {
    // A tenth of a CPU and killed at the end: the other tests share worker 0's 4 CPUs.
    ActorHandle<Counter> c = troupe.createActor(Counter.class, on(0).toBuilder().cpus(0.1).name("rest-visible").build());
    c.call(Counter::get).join();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> one = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(cluster.head().dashboardUrl() + "/api/actors/" + c.id().value())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.body()).contains("\"name\" : \"rest-visible\"").contains("\"state\" : \"ALIVE\"");
    java.net.http.HttpResponse<String> none = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(cluster.head().dashboardUrl() + "/api/actors/nope")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.body()).contains("no actor with id nope");
    troupe.kill(c.id()).join();
  }

  @Test
  void keyValueStoreFromAnyNode() {
    troupe.kvPut("serve/checkpoint", "v1".getBytes()).join();
    Troupe fromWorker = cluster.worker(0).client();
    assertThat(fromWorker.kvGet("serve/checkpoint").join()).hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo("v1"));
    fromWorker.kvPut("serve/other", new byte[] {1}).join();
    assertThat(troupe.kvKeys("serve/").join()).containsExactly("serve/checkpoint", "serve/other");
    troupe.kvDelete("serve/other").join();
    assertThat(troupe.kvGet("serve/other").join()).isEmpty();
  }

  static ClusterStatus pollStatus(java.util.function.Predicate<ClusterStatus> p) {
    return pollStatus(troupe, p);
  }

  static ClusterStatus pollStatus(Troupe troupe, java.util.function.Predicate<ClusterStatus> p) {
    return Poll.upTo(Duration.ofSeconds(20)).await("cluster status", () -> troupe.status().join(), p);
  }

  /** Polls {@code get} (a failing call counts as not yet) until {@code p} holds; 20 s deadline. */
  static <T> T poll(java.util.function.Supplier<T> get, java.util.function.Predicate<T> p) {
    record Attempt<T>(T value, RuntimeException failure) {}
    return Poll.upTo(Duration.ofSeconds(20)).await("condition", () -> {
      try {
        return new Attempt<>(get.get(), null);
      } catch (RuntimeException e) {
        return new Attempt<T>(null, e); // not yet (e.g. a member that is restarting)
      }
    }, a -> a.failure() == null && p.test(a.value())).value();
  }

  static double cpuAvailable(ClusterStatus s, String node) {
    return s.nodes().stream().filter(n -> n.nodeId().value().equals(node)).findFirst().orElseThrow()
        .resourcesAvailable().get(ResourceSet.CPU);
  }
}
