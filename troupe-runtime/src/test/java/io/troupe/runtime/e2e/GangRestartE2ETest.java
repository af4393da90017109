package io.troupe.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.testkit.FreePorts;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A gang group over worker processes: the SIGKILL of one member's node restarts every member (the
 * survivor too) at a new epoch, and a caller left over from the old epoch is fenced off from the
 * new members, both across processes and within one.
 */
@Tag("e2e")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class GangRestartE2ETest {
  static final Map<String, Integer> GPU_BUNDLE = Map.of("CPU", 1, "GPU", 1);

  @Test
  void nodeDeathRestartsTheWholeGangAtANewEpochAndFencesTheOldOne() throws Exception {
    try (ProcessCluster pc = new ProcessCluster()) {
      ProcessCluster.Node head = pc.start("head", "port=" + FreePorts.pick(), "cpus=2", "fd=4000");
      ProcessCluster.Node w1 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2", "label=rack:r1",
          "fd=4000");
      ProcessCluster.Node w2 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2", "label=rack:r2",
          "fd=4000");
      try (TroupeNode driver = E2E.driver(head, Duration.ofSeconds(4))) {
        Troupe troupe = driver.client();
        PlacementGroupId id = troupe.createPlacementGroup(PlacementGroupSpec.builder()
            .strategy(PlacementStrategy.STRICT_SPREAD)
            .bundle(Bundle.of(GPU_BUNDLE).withLabels(Map.of("rack", "r1,r3")))
            .bundle(Bundle.of(GPU_BUNDLE).withLabels(Map.of("rack", "r2")))
            .gang(new GangPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1)))
            .build());
        PlacementGroupInfo before = troupe.waitPlacementGroupReady(id, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        long e0 = before.epoch();

        ActorHandle<GangRank> rank0 = rank(troupe, id, 0);
        ActorHandle<GangRank> rank1 = rank(troupe, id, 1);
        assertThat(rank0.call(GangRank::where).get(30, TimeUnit.SECONDS)).containsExactly(e0 + "", w1.nodeId(), "0");
        assertThat(rank1.call(GangRank::where).get(30, TimeUnit.SECONDS)).containsExactly(e0 + "", w2.nodeId(), "1");
        assertThat(rank0.call(GangRank::add, 5).get(10, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(rank1.call(GangRank::add, 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        // Same epoch: members reach each other across processes.
        assertThat(rank1.call(GangRank::callPeer, rank0.id().value()).get(30, TimeUnit.SECONDS))
            .isEqualTo("ok:" + e0);
        // Rank 1 (on the node that survives) leaves a caller behind that keeps its epoch-e0 context.
        assertThat(rank1.call(GangRank::armOldEpochCaller).get(10, TimeUnit.SECONDS)).endsWith(" " + e0);

        ProcessCluster.Node w3 = pc.start("worker", "address=" + head.address(), "cpus=2", "gpus=2",
            "label=rack:r3", "fd=4000");
        long killedAt = System.nanoTime();
        pc.kill(w1);

        PlacementGroupInfo after = E2E.poll(() -> troupe.placementGroup(id).join().orElseThrow(),
            i -> i.epoch() > e0 && i.state() == PlacementGroupState.CREATED, 60);
        double toCreated = (System.nanoTime() - killedAt) / 1e9;
        assertThat(after.epoch()).isEqualTo(e0 + 1);
        assertThat(PlacementGroupNodeFailureE2ETest.nodeOf(after, 0)).isEqualTo(w3.nodeId());
        assertThat(PlacementGroupNodeFailureE2ETest.nodeOf(after, 1)).isEqualTo(w2.nodeId());

        // Both members are recreated, the survivor too, and both run at the new epoch.
        ActorInfo r0 = E2E.poll(() -> rank0.info().join(), i -> i.state() == ActorState.ALIVE, 30);
        ActorInfo r1 = E2E.poll(() -> rank1.info().join(), i -> i.state() == ActorState.ALIVE, 30);
        assertThat(r0.numRestarts()).isEqualTo(1);
        assertThat(r1.numRestarts()).isEqualTo(1);
        assertThat(rank0.call(GangRank::where).get(30, TimeUnit.SECONDS)).containsExactly((e0 + 1) + "", w3.nodeId(), "0");
        assertThat(rank1.call(GangRank::where).get(30, TimeUnit.SECONDS)).containsExactly((e0 + 1) + "", w2.nodeId(), "1");
        double toMembers = (System.nanoTime() - killedAt) / 1e9;
        // Fresh instances: the survivor's state is gone as well.
        assertThat(rank0.call(GangRank::add, 1).get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(rank1.call(GangRank::add, 1).get(10, TimeUnit.SECONDS)).isEqualTo(1);

        // New epoch to new epoch: allowed.
        assertThat(rank1.call(GangRank::callPeer, rank0.id().value()).get(30, TimeUnit.SECONDS))
            .isEqualTo("ok:" + (e0 + 1));
        // Old epoch to new epoch: refused, to a member in another process and to one in the same process.
        assertThat(rank1.call(GangRank::callFromOldEpoch, rank0.id().value()).get(40, TimeUnit.SECONDS))
            .startsWith("refused:StaleEpochException:").contains("epoch " + e0);
        assertThat(rank1.call(GangRank::callFromOldEpoch, rank1.id().value()).get(40, TimeUnit.SECONDS))
            .startsWith("refused:StaleEpochException:").contains("epoch " + e0);

        System.out.printf("gang: SIGKILL -> CREATED at epoch %d in %.2f s, both members answering at the new epoch"
            + " after %.2f s (fd=4000 ms, gang back-off 200 ms)%n", after.epoch(), toCreated, toMembers);
        troupe.removePlacementGroup(id).get(10, TimeUnit.SECONDS);
      }
    }
  }

  static ActorHandle<GangRank> rank(Troupe troupe, PlacementGroupId id, int bundle) {
    return troupe.createActor(GangRank.class, ActorOptions.builder().cpus(1).gpus(1).maxConcurrency(4)
        .strategy(SchedulingStrategy.inGroup(id, bundle)).build());
  }
}
