package io.troupe.llm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.Troupe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rank actors on an embedded 2-worker cluster (real loopback transport between nodes): TP=2 spread over
 * both workers (all-reduce over the network) and PP=2 packed on one worker (activations in-JVM) give the
 * same greedy tokens as one rank; a killed rank fails in-flight requests with an error naming it (and, being
 * stopped on purpose, is not restarted even with a gang policy: see {@link GangRestartTest} for a real gang
 * restart). Outside
 * any reservation the launcher creates its own group and removes it on close; inside one ({@link
 * InsideAReservation}) it uses the enclosing group's bundles and creates none. One cluster for all.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterRanksTest {
  @TempDir static Path tmp;
  static Path model;
  static LocalCluster cluster;
  static Troupe troupe;
  static List<List<Integer>> reference;

  @BeforeAll
  static void start() throws Exception {
    model = tmp.resolve("tiny");
    RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), model);
    reference = Generations.greedy(SingleRankExecutor.load(model, Generations.rankOptions()));
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(4).gpusPerWorker(2)
        .dashboard(false).build());
    troupe = cluster.troupe();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ClusterRanks.Options.Builder options(int tp, int pp, PlacementStrategy strategy) {
    return ClusterRanks.Options.builder(tp, pp).strategy(strategy).perRank(Map.of("CPU", 1, "GPU", 1))
        .rankOptions(Generations.rankOptions()).peerTimeout(Duration.ofSeconds(10))
        .stepTimeout(Duration.ofSeconds(20)).startTimeout(Duration.ofSeconds(30));
  }

  @Test
  void tensorParallelRanksOnTwoWorkersMatchOneRank() {
    PlacementGroupId own;
    try (ClusterRanks ranks = ClusterRanks.launch(troupe, model, options(2, 1, PlacementStrategy.STRICT_SPREAD).build())) {
      own = ranks.group();
      assertThat(ranks.ownsGroup()).isTrue();
      List<RankIdentity> ids = ranks.identities();
      assertThat(ids).extracting(RankIdentity::nodeId).doesNotHaveDuplicates()
          .containsExactlyInAnyOrder(cluster.worker(0).nodeId().value(), cluster.worker(1).nodeId().value());
      assertThat(ids).allSatisfy(id -> {
        assertThat(id.deviceIds()).hasSize(1);
        assertThat(id.bundleIndex()).isEqualTo(id.index());
        assertThat(id.group()).isEqualTo(own.value());
        assertThat(id.worldSize()).isEqualTo(2);
        assertThat(id.leaderName()).isEqualTo(ids.get(0).actorName());
      });
      assertThat(Generations.greedy(ranks.executor())).isEqualTo(reference);
    }
    assertThat(troupe.placementGroups().join()).noneMatch(g -> g.id().equals(own)
        && g.state() != io.troupe.runtime.api.PlacementGroupState.REMOVED);
  }

  @Test
  void pipelineParallelRanksPackedOnOneWorkerMatchOneRank() {
    try (ClusterRanks ranks = ClusterRanks.launch(troupe, model, options(1, 2, PlacementStrategy.STRICT_PACK).build())) {
      assertThat(ranks.identities()).extracting(RankIdentity::nodeId).containsOnly(ranks.identities().get(0).nodeId());
      assertThat(Generations.greedy(ranks.executor())).isEqualTo(reference);
    }
  }

  @Test
  void aKilledRankFailsInFlightRequestsNamingTheRank() {
    try (ClusterRanks ranks = ClusterRanks.launch(troupe, model, options(2, 1, PlacementStrategy.STRICT_SPREAD).build());
         LlmEngine e = Generations.engine(ranks.executor())) {
      var finished = new ConcurrentHashMap<String, GenerationEvent.Finished>();
      for (String id : List.of("a", "b")) {
        e.submit(new GenerationRequest(id, new int[] {1, 2, 3}, SamplingParams.greedy(50)), ev -> {
          if (ev instanceof GenerationEvent.Finished f) {
            finished.put(f.requestId(), f);
          }
        });
      }
      e.step();
      e.step();
      RankIdentity victim = ranks.identities().get(1);
      long t0 = System.nanoTime();
      troupe.kill(new ActorId(victim.actorId())).join();
      e.runUntilIdle();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(finished).hasSize(2);
      assertThat(finished.values()).allSatisfy(f -> {
        assertThat(f.reason()).isEqualTo(FinishReason.ERROR);
        assertThat(f.detail()).contains("rank(tp=1/2, pp=0/1").contains(victim.actorName());
      });
      assertThat(ms).as("failure detected well before the peer deadline").isLessThan(8_000);
    }
  }

  @Test
  void aRankKilledOnPurposeIsNotRestartedEvenWithAGangPolicy() {
    ClusterRanks.Options o = options(2, 1, PlacementStrategy.STRICT_SPREAD)
        .gang(new io.troupe.runtime.api.GangPolicy(2, Duration.ZERO, Duration.ZERO)).build();
    try (ClusterRanks ranks = ClusterRanks.launch(troupe, model, o);
         LlmEngine e = Generations.engine(ranks.executor())) {
      RankIdentity victim = ranks.identities().get(1);
      troupe.kill(new ActorId(victim.actorId())).join();
      var finished = new ConcurrentHashMap<String, GenerationEvent.Finished>();
      e.submit(new GenerationRequest("a", new int[] {1, 2, 3}, SamplingParams.greedy(5)), ev -> {
        if (ev instanceof GenerationEvent.Finished f) {
          finished.put(f.requestId(), f);
        }
      });
      e.runUntilIdle();
      assertThat(finished.get("a").reason()).isEqualTo(FinishReason.ERROR);
      assertThat(finished.get("a").detail()).contains(victim.actorName());
      // troupe.kill stops an actor on purpose: the gang does not restart, and the recovery says so at once.
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ranks.awaitServing(Duration.ofSeconds(20)))
          .hasMessageContaining("is DEAD").hasMessageContaining("epoch did not move");
      assertThat(ranks.epoch()).isEqualTo(-1);
    }
  }

  /** The nested-reservation scenario: an engine inside a replica that already holds the GPUs. */
  @Nested
  class InsideAReservation {
    @Test
    void theLauncherPlacesRanksIntoTheEnclosingBundlesAndCreatesNoGroup() {
      // The replica's reservation: one bundle per rank, with room for the replica itself in bundle 0.
      PlacementGroupId outer = troupe.createPlacementGroup(PlacementGroupSpec.builder()
          .strategy(PlacementStrategy.STRICT_SPREAD).bundle(Map.of("CPU", 2, "GPU", 1))
          .bundle(Map.of("CPU", 2, "GPU", 1)).build());
      try {
        troupe.waitPlacementGroupReady(outer, Duration.ofSeconds(20)).join();
        ActorHandle<EngineReplica> replica = troupe.createActor(EngineReplica.class, ActorOptions.builder().cpus(1)
            .strategy(SchedulingStrategy.inGroup(outer, 0)).build());
        List<String> before = EngineReplica.groupIds(troupe);

        EngineReplica.Run run = replica.call(EngineReplica::generate, model.toString(), 2, 1).join();

        assertThat(run.launcherOwnsGroup()).isFalse();
        assertThat(run.myGroup()).isEqualTo(outer.value());
        assertThat(run.groupsWhileRunning()).as("no group created for the ranks").isEqualTo(before);
        assertThat(EngineReplica.groupIds(troupe)).isEqualTo(before);
        assertThat(run.ranks()).allSatisfy(id -> {
          assertThat(id.group()).isEqualTo(outer.value());
          assertThat(id.bundleIndex()).isEqualTo(id.index());
          assertThat(id.deviceIds()).hasSize(1);
        });
        assertThat(run.ranks()).extracting(RankIdentity::nodeId).doesNotHaveDuplicates();
        assertThat(run.tokens()).isEqualTo(reference);
      } finally {
        troupe.removePlacementGroup(outer).join();
      }
    }

    @Test
    void moreRanksThanEnclosingBundlesFailAtOnceWithAClearMessage() {
      PlacementGroupId outer = troupe.createPlacementGroup(PlacementGroupSpec.builder()
          .strategy(PlacementStrategy.STRICT_SPREAD).bundle(Map.of("CPU", 2, "GPU", 1))
          .bundle(Map.of("CPU", 2, "GPU", 1)).build());
      try {
        troupe.waitPlacementGroupReady(outer, Duration.ofSeconds(20)).join();
        ActorHandle<EngineReplica> replica = troupe.createActor(EngineReplica.class, ActorOptions.builder().cpus(1)
            .strategy(SchedulingStrategy.inGroup(outer, 0)).build());
        List<String> before = EngineReplica.groupIds(troupe);
        long t0 = System.nanoTime();

        String error = replica.call(EngineReplica::tryLaunch, model.toString(), 2, 2).join();

        assertThat((System.nanoTime() - t0) / 1_000_000).as("fails at once, never pending").isLessThan(5_000);
        assertThat(error).contains("needs 4 bundles").contains("tp=2 x pp=2").contains(outer.value())
            .contains("has only 2");
        assertThat(EngineReplica.groupIds(troupe)).isEqualTo(before);
        assertThat(troupe.actors().join()).noneMatch(a -> a.name() != null && a.name().startsWith("llm-ranks/")
            && a.state() != io.troupe.runtime.api.ActorState.DEAD);
      } finally {
        troupe.removePlacementGroup(outer).join();
      }
    }
  }
}
