package io.troupe.llm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gang restarts of a TP=2 rank group on an embedded 4-worker cluster (two workers spare; real loopback transport
 * between nodes): the worker holding rank 1 leaves abruptly mid-generation. In-flight requests fail naming the
 * rank, requests during the restart fail fast with "rank group restarting (epoch 0 → 1)", the runtime re-reserves
 * bundle 1 on the spare worker and recreates both ranks at epoch 1, and the same engine then produces the same
 * greedy tokens as one rank (its prefix cache was dropped: the new ranks' KV memory is empty). Then the worker
 * of rank 0 leaves while the engine is idle: the next request fails (the new ranks refuse a step of the old epoch),
 * and the group serves again at epoch 2.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GangRestartTest {
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
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(4).cpusPerNode(4).gpusPerWorker(1)
        .failureDetection(Duration.ofSeconds(2)).dashboard(false).build());
    troupe = cluster.troupe();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aLostWorkerRestartsTheGangAndTheSameEngineServesAgain() {
    ClusterRanks.Options o = ClusterRanksTest.options(2, 1, PlacementStrategy.STRICT_SPREAD)
        .gang(new GangPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1))).build();
    try (ClusterRanks ranks = ClusterRanks.launch(troupe, model, o);
         LlmEngine e = Generations.engine(ranks.executor())) {
      assertThat(ranks.executor().recovers()).isTrue();
      assertThat(Generations.greedy(e)).isEqualTo(reference);
      long epoch0 = ranks.epoch();
      List<RankIdentity> before = ranks.identities();
      RankIdentity victim = before.get(1);
      TroupeNode victimNode = worker(victim.nodeId());
      Set<String> used = before.stream().map(RankIdentity::nodeId).collect(Collectors.toSet());
      String spare = cluster.nodes().stream().skip(1).map(n -> n.nodeId().value()).filter(n -> !used.contains(n))
          .findFirst().orElseThrow();

      var finished = new ConcurrentHashMap<String, GenerationEvent.Finished>();
      for (String id : List.of("a", "b")) {
        e.submit(new GenerationRequest(id, new int[] {1, 2, 3}, SamplingParams.greedy(50)), record(finished));
      }
      e.step();
      e.step();
      long t0 = System.nanoTime();
      victimNode.close(); // leaves at once; the control service treats it like a dead node
      long closeMs = millisSince(t0);
      e.runUntilIdle();
      long failMs = millisSince(t0);
      assertThat(finished).hasSize(2);
      assertThat(finished.values()).allSatisfy(f -> {
        assertThat(f.reason()).isEqualTo(FinishReason.ERROR);
        assertThat(f.detail()).contains(victim.actorName());
      });

      // During the restart (its back-off alone is 1 s) new requests fail fast with a clear error.
      e.submit(new GenerationRequest("c", new int[] {4, 5, 6}, SamplingParams.greedy(5)), record(finished));
      e.runUntilIdle();
      assertThat(finished.get("c").reason()).isEqualTo(FinishReason.ERROR);
      assertThat(finished.get("c").detail()).contains("rank group restarting (epoch " + epoch0 + " → " + (epoch0 + 1));

      long epoch1 = ranks.awaitServing(Duration.ofSeconds(45));
      long backMs = millisSince(t0);
      assertThat(epoch1).isEqualTo(epoch0 + 1);
      List<RankIdentity> after = ranks.identities();
      assertThat(after).allSatisfy(id -> assertThat(id.spec().epoch()).isEqualTo(epoch1));
      assertThat(after.get(0).nodeId()).isEqualTo(before.get(0).nodeId());
      assertThat(after.get(1).nodeId()).as("bundle 1 re-reserved on the spare worker").isEqualTo(spare);
      assertThat(after).extracting(RankIdentity::actorId).isEqualTo(before.stream().map(RankIdentity::actorId).toList());
      PlacementGroupInfo g = troupe.placementGroup(ranks.group()).join().orElseThrow();
      assertThat(g.state()).isEqualTo(PlacementGroupState.CREATED);
      assertThat(g.epoch()).isEqualTo(epoch1);
      assertThat(g.bundles().get(1).node()).contains(new NodeId(spare));
      Set<String> ids = after.stream().map(RankIdentity::actorId).collect(Collectors.toSet());
      assertThat(troupe.actors().join()).filteredOn(a -> ids.contains(a.actorId().value()))
          .hasSize(2).extracting(ActorInfo::state).containsOnly(ActorState.ALIVE);

      long t1 = System.nanoTime();
      assertThat(Generations.greedy(e)).as("the same engine, on the ranks of epoch " + epoch1).isEqualTo(reference);
      System.out.printf("gang restart: node close() took %d ms, in-flight failed after %d ms, serving at epoch %d after %d ms, "
          + "first generation after restart %d ms%n", closeMs, failMs, epoch1, backMs, millisSince(t1));

      // A second restart while the engine is idle: noticed by the next step, which fails; then epoch 2 serves.
      TroupeNode rank0Node = worker(after.get(0).nodeId());
      long t2 = System.nanoTime();
      rank0Node.close();
      e.submit(new GenerationRequest("d", new int[] {4, 5, 6}, SamplingParams.greedy(5)), record(finished));
      e.runUntilIdle();
      assertThat(finished.get("d").reason()).isEqualTo(FinishReason.ERROR);
      assertThat(finished.get("d").detail()).contains("epoch=" + epoch1);
      assertThat(ranks.awaitServing(Duration.ofSeconds(45))).isEqualTo(epoch1 + 1);
      assertThat(ranks.identities()).extracting(RankIdentity::nodeId).doesNotHaveDuplicates()
          .doesNotContain(victim.nodeId(), after.get(0).nodeId());
      assertThat(Generations.greedy(e)).isEqualTo(reference);
      System.out.printf("idle gang restart: serving at epoch %d after %d ms (first request: %s)%n", epoch1 + 1,
          millisSince(t2), finished.get("d").detail());
    }
  }

  private static TroupeNode worker(String nodeId) {
    return cluster.nodes().stream().skip(1).filter(n -> n.nodeId().value().equals(nodeId)).findFirst().orElseThrow();
  }

  private static io.troupe.llm.api.GenerationListener record(Map<String, GenerationEvent.Finished> into) {
    return ev -> {
      if (ev instanceof GenerationEvent.Finished f) {
        into.put(f.requestId(), f);
      }
    };
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
