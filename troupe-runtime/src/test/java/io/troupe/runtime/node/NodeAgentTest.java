package io.troupe.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.protocol.ActorSpec;
import io.troupe.runtime.protocol.PayloadCodec;
import io.troupe.runtime.resources.ResourceLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The node agent driven directly, with a recording {@link AgentEffects}. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NodeAgentTest {
  private static final NodeId NODE = NodeId.of("n1");
  private static final ResourceSet TOTAL = ResourceSet.of("CPU", 4, "GPU", 2);

  sealed interface Event {}

  record Report(ResourceSet available, Set<String> hosted) implements Event {}

  record Started(ActorId id, int incarnation) implements Event {}

  record Failed(ActorId id, int incarnation, boolean noResources, String error) implements Event {}

  private final List<Event> events = new ArrayList<>();
  private final AgentEffects effects = new AgentEffects() {
    @Override
    public void reportDue() {
      agent.report(); // no coalescing here: every change reports at once
    }

    @Override
    public void report(ResourceSet available, ResourceSet usedOutsideGroups, Set<String> hosted,
        java.util.List<io.troupe.runtime.placement.HeldBundle> bundles) {
      events.add(new Report(available, Set.copyOf(hosted)));
    }

    @Override
    public void actorStarted(ActorId id, int incarnation) {
      events.add(new Started(id, incarnation));
    }

    @Override
    public void actorStartFailed(ActorId id, int incarnation, boolean noResources, String error) {
      events.add(new Failed(id, incarnation, noResources, error));
    }
  };
  private final ResourceLedger ledger = new ResourceLedger(TOTAL, List.of("0", "1"));
  private final NodeAgent agent = new NodeAgent(NODE, ledger, effects, () -> {
    throw new UnsupportedOperationException("no cluster in unit tests");
  });

  private static ActorSpec spec(String id, Class<?> type, ResourceSet resources, Object... args) {
    return new ActorSpec(ActorId.of(id), type.getName(), args.length == 0 ? null : PayloadCodec.encode(args),
        ActorOptions.builder().resources(resources).build(), null);
  }

  private List<Event> drain() {
    List<Event> out = List.copyOf(events);
    events.clear();
    return out;
  }

  /** Starts, waits for the constructor, pipes the outcome back like the Pekko shell does. */
  private Object startAndConstruct(ActorSpec spec, int incarnation) throws Exception {
    CompletableFuture<Object> f = agent.startActor(spec, incarnation).orElseThrow();
    Object instance = f.get(5, TimeUnit.SECONDS);
    agent.constructed(spec.id(), incarnation, null);
    return instance;
  }

  @Test
  void startAllocatesReportsAndConfirmsOnceConstructed() throws Exception {
    ActorSpec s = spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 1, "GPU", 1), "hi");
    ContextProbeActor actor = (ContextProbeActor) startAndConstruct(s, 0);
    assertThat(actor.greeting).isEqualTo("hi");
    assertThat(drain()).containsExactly(new Report(ResourceSet.of("CPU", 3, "GPU", 1), Set.of("a#0")),
        new Started(ActorId.of("a"), 0));
    assertThat(agent.host(ActorId.of("a"))).isPresent();
    assertThat(agent.hostedKeys()).containsExactly("a#0");
  }

  @Test
  void theConstructorSeesTheActorsIdAndGpus() throws Exception {
    startAndConstruct(spec("first", ContextProbeActor.class, ResourceSet.of("GPU", 1)), 0);
    ContextProbeActor actor = (ContextProbeActor) startAndConstruct(
        spec("second", ContextProbeActor.class, ResourceSet.of("CPU", 1, "GPU", 1)), 3);
    assertThat(actor.actorId).isEqualTo("second");
    assertThat(actor.incarnation).isEqualTo(3);
    assertThat(actor.nodeId).isEqualTo("n1");
    assertThat(actor.gpuIds).containsExactly("1");
    ContextProbeActor cpuOnly = (ContextProbeActor) startAndConstruct(
        spec("third", ContextProbeActor.class, ResourceSet.of("CPU", 1)), 0);
    assertThat(cpuOnly.gpuIds).isEmpty();
  }

  @Test
  void noRoomIsReportedAsNoResources() {
    ActorSpec big = spec("big", ContextProbeActor.class, ResourceSet.of("CPU", 8));
    assertThat(agent.startActor(big, 0)).isEmpty();
    List<Event> out = drain();
    assertThat(out).singleElement().isInstanceOfSatisfying(Failed.class, f -> {
      assertThat(f.noResources()).isTrue();
      assertThat(f.incarnation()).isZero();
      assertThat(f.error()).contains("needs {CPU: 8}");
    });
    assertThat(ledger.available()).isEqualTo(TOTAL);
    assertThat(agent.host(ActorId.of("big"))).isEmpty();
  }

  @Test
  void constructorFailureReleasesTheResources() throws Exception {
    ActorSpec s = spec("f", FailingActor.class, ResourceSet.of("CPU", 2, "GPU", 2));
    CompletableFuture<Object> f = agent.startActor(s, 0).orElseThrow();
    assertThat(ledger.available()).isEqualTo(ResourceSet.of("CPU", 2));
    Throwable error = null;
    try {
      f.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      error = e.getCause();
    }
    assertThat(error).isInstanceOf(IllegalStateException.class);
    agent.constructed(s.id(), 0, error);
    assertThat(ledger.available()).isEqualTo(TOTAL);
    assertThat(ledger.gpuFree().values()).containsOnly(ResourceSet.UNIT);
    assertThat(agent.host(s.id())).isEmpty();
    assertThat(drain()).containsExactly(
        new Report(ResourceSet.of("CPU", 2), Set.of("f#0")),
        new Report(TOTAL, Set.of()),
        new Failed(s.id(), 0, false, "java.lang.IllegalStateException: boom"));
  }

  @Test
  void undecodableArgumentsFailTheStartAndReleaseTheResources() {
    ActorSpec s = new ActorSpec(ActorId.of("x"), ContextProbeActor.class.getName(), new byte[] {1, 2, 3},
        ActorOptions.builder().cpus(1).build(), null);
    assertThat(agent.startActor(s, 0)).isEmpty();
    assertThat(ledger.available()).isEqualTo(TOTAL);
    assertThat(drain()).singleElement().isInstanceOfSatisfying(Failed.class, f -> {
      assertThat(f.noResources()).isFalse();
      assertThat(f.error()).contains("cannot decode payload");
    });
  }

  @Test
  void stopReleasesTheResourcesAndReports() throws Exception {
    ActorSpec s = spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 1, "GPU", 0.5));
    startAndConstruct(s, 0);
    drain();
    agent.stopActor(s.id(), 1, "wrong incarnation: ignored");
    assertThat(drain()).isEmpty();
    agent.stopActor(s.id(), 0, "killed");
    assertThat(ledger.available()).isEqualTo(TOTAL);
    assertThat(agent.host(s.id())).isEmpty();
    assertThat(drain()).containsExactly(new Report(TOTAL, Set.of()));
    agent.stopActor(s.id(), 0, "again");
    assertThat(drain()).isEmpty();
  }

  @Test
  void aDuplicateStartOfTheSameIncarnationIsIgnored() throws Exception {
    ActorSpec s = spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 1));
    Object first = startAndConstruct(s, 0);
    drain();
    assertThat(agent.startActor(s, 0)).isEmpty();
    assertThat(drain()).isEmpty();
    assertThat(ledger.available()).isEqualTo(ResourceSet.of("CPU", 3, "GPU", 2));
    assertThat(first).isNotNull();
  }

  @Test
  void aNewerIncarnationReplacesTheOldOne() throws Exception {
    ActorSpec s = spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 3, "GPU", 1));
    startAndConstruct(s, 0);
    ActorHost old = agent.host(s.id()).orElseThrow();
    drain();
    ContextProbeActor newer = (ContextProbeActor) startAndConstruct(s, 1);
    assertThat(newer.incarnation).isEqualTo(1);
    assertThat(old.isStopped()).isTrue();
    assertThat(agent.host(s.id()).orElseThrow().incarnation()).isEqualTo(1);
    assertThat(ledger.available()).isEqualTo(ResourceSet.of("CPU", 1, "GPU", 1));
    assertThat(drain()).containsExactly(
        new Report(TOTAL, Set.of()),
        new Report(ResourceSet.of("CPU", 1, "GPU", 1), Set.of("a#1")),
        new Started(s.id(), 1));
  }

  @Test
  void anOlderIncarnationDoesNotReplaceANewerOne() throws Exception {
    ActorSpec s = spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 1));
    startAndConstruct(s, 2);
    drain();
    assertThat(agent.startActor(s, 1)).isEmpty();
    assertThat(agent.host(s.id()).orElseThrow().incarnation()).isEqualTo(2);
    assertThat(drain()).isEmpty();
  }

  @Test
  void aLateConstructionOutcomeForAStoppedIncarnationIsIgnored() throws Exception {
    ActorSpec s = spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 1));
    CompletableFuture<Object> f = agent.startActor(s, 0).orElseThrow();
    agent.stopActor(s.id(), 0, "killed while starting");
    f.get(5, TimeUnit.SECONDS);
    drain();
    agent.constructed(s.id(), 0, null);
    assertThat(drain()).isEmpty();
    assertThat(ledger.available()).isEqualTo(TOTAL);
  }

  @Test
  void stopAllReleasesEverything() throws Exception {
    startAndConstruct(spec("a", ContextProbeActor.class, ResourceSet.of("CPU", 1, "GPU", 1)), 0);
    startAndConstruct(spec("b", ContextProbeActor.class, ResourceSet.of("CPU", 1, "GPU", 1)), 0);
    agent.stopAll("shutdown");
    assertThat(ledger.available()).isEqualTo(TOTAL);
    assertThat(agent.hostedKeys()).isEmpty();
    assertThat(agent.host(ActorId.of("a"))).isEmpty();
  }
}
