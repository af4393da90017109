package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Placement groups on an in-process 3-node cluster: reservation, actors in bundles, capture, nesting, removal. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PlacementGroupClusterTest {
  static LocalCluster cluster;
  static Troupe troupe;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(4).gpusPerWorker(2).build());
    troupe = cluster.troupe();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static PlacementGroupSpec spread(String name) {
    return PlacementGroupSpec.builder().name(name).strategy(PlacementStrategy.STRICT_SPREAD)
        .bundle(Map.of("CPU", 1, "GPU", 1)).bundle(Map.of("CPU", 1, "GPU", 1)).detached().build();
  }

  @Test
  void strictSpreadGroupReservesGpusOnTwoNodesAndActorsUseThem() {
    PlacementGroupId id = troupe.createPlacementGroup(spread("tp"));
    PlacementGroupInfo info = troupe.waitPlacementGroupReady(id, Duration.ofSeconds(20)).join();
    assertThat(info.state()).isEqualTo(PlacementGroupState.CREATED);
    assertThat(info.bundles()).extracting(b -> b.node().orElseThrow()).doesNotHaveDuplicates()
        .containsExactlyInAnyOrder(cluster.worker(0).nodeId(), cluster.worker(1).nodeId());
    assertThat(info.bundles()).allSatisfy(b -> assertThat(b.gpuIds()).hasSize(1));
    assertThat(troupe.placementGroupByName("tp").join()).isPresent();

    ClusterStatus s = LocalClusterTest.pollStatus(troupe, st -> st.nodes().stream().filter(n -> !n.isHead())
        .allMatch(n -> n.resourcesAvailable().get(ResourceSet.GPU) <= 1.0));
    assertThat(s.nodes().stream().filter(n -> !n.isHead()).map(NodeInfo::resourcesAvailable)
        .map(r -> r.get(ResourceSet.GPU)).toList()).containsOnly(1.0);

    ActorHandle<GroupProbe> rank0 = troupe.createActor(GroupProbe.class, ActorOptions.builder().cpus(0.5).gpus(1)
        .strategy(SchedulingStrategy.inGroup(id, 0)).build());
    List<String> where = rank0.call(GroupProbe::where).join();
    assertThat(where.get(0)).isEqualTo(id.value());
    assertThat(where.get(1)).isEqualTo("0");
    assertThat(where.get(3)).isEqualTo(info.bundles().get(0).node().orElseThrow().value());
    assertThat(where.subList(4, where.size())).isEqualTo(info.bundles().get(0).gpuIds());
    // A process the actor launches sees exactly its bundle's GPU.
    assertThat(rank0.call(GroupProbe::childProcessGpus).join()).isEqualTo(info.bundles().get(0).gpuIds().get(0));

    // Children are captured into the same group (bundle capacity left: 0.5 CPU, no GPU).
    List<String> child = rank0.call(GroupProbe::child).join();
    assertThat(child.get(0)).isEqualTo(id.value());

    // Too big for any bundle: an error at once, not a silent wait.
    assertThatThrownBy(() -> troupe.createActor(GroupProbe.class, ActorOptions.builder().cpus(3)
        .strategy(SchedulingStrategy.inGroup(id, 1)).build())).hasMessageContaining("bundle");

    troupe.removePlacementGroup(id).join();
    assertThatThrownBy(() -> rank0.call(GroupProbe::where).get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ActorDiedException.class);
    LocalClusterTest.pollStatus(troupe, st -> st.nodes().stream().filter(n -> !n.isHead())
        .allMatch(n -> n.resourcesAvailable().get(ResourceSet.GPU) == 2.0));
  }

  @Test
  void anActorReportingAFailureRestartsItsGangAtTheNextEpoch() {
    PlacementGroupId id = troupe.createPlacementGroup(PlacementGroupSpec.builder().strategy(PlacementStrategy.PACK)
        .bundle(Map.of("CPU", 0.5)).bundle(Map.of("CPU", 0.5)).detached()
        .gang(new io.troupe.runtime.api.GangPolicy(2, Duration.ofMillis(100), Duration.ofMillis(200))).build());
    troupe.waitPlacementGroupReady(id, Duration.ofSeconds(20)).join();
    ActorHandle<GroupProbe> a = troupe.createActor(GroupProbe.class, ActorOptions.builder().cpus(0.5)
        .strategy(SchedulingStrategy.inGroup(id, 0)).build());
    ActorHandle<GroupProbe> b = troupe.createActor(GroupProbe.class, ActorOptions.builder().cpus(0.5)
        .strategy(SchedulingStrategy.inGroup(id, 1)).build());
    assertThat(a.call(GroupProbe::where).join().get(2)).isEqualTo("0");
    assertThat(b.call(GroupProbe::where).join().get(2)).isEqualTo("0");
    b.call(GroupProbe::failSelf, "its process exited with 1").join();
    PlacementGroupInfo after = LocalClusterTest.poll(() -> troupe.placementGroup(id).join().orElseThrow(),
        g -> g.epoch() == 1 && g.lastGangRestart().isPresent());
    assertThat(after.lastGangRestart().orElseThrow().cause()).contains("its process exited with 1");
    // Both members come back at epoch 1 (the one that did not fail too).
    LocalClusterTest.poll(() -> a.call(GroupProbe::where).join().get(2), "1"::equals);
    LocalClusterTest.poll(() -> b.call(GroupProbe::where).join().get(2), "1"::equals);
    troupe.removePlacementGroup(id).join();
  }

  @Test
  void nestedGroupIsCarvedFromTheParentOrFailsAtOnce() {
    PlacementGroupId id = troupe.createPlacementGroup(PlacementGroupSpec.builder()
        .bundle(Map.of("CPU", 2)).strategy(PlacementStrategy.PACK).detached().build());
    troupe.waitPlacementGroupReady(id, Duration.ofSeconds(20)).join();
    ActorHandle<GroupProbe> owner = troupe.createActor(GroupProbe.class, ActorOptions.builder().cpus(0.5)
        .strategy(SchedulingStrategy.inGroup(id)).build());
    String ok = owner.call(GroupProbe::nested, 1.0).join();
    assertThat(ok).startsWith("ok:");
    PlacementGroupInfo child = troupe.placementGroup(PlacementGroupId.of(ok.substring(3))).join().orElseThrow();
    assertThat(child.state()).isEqualTo(PlacementGroupState.CREATED);
    String tooBig = owner.call(GroupProbe::nested, 8.0).join();
    assertThat(tooBig).startsWith("error:").contains(id.value());
    troupe.removePlacementGroup(id).join();
    // Removing the parent removes its children (gone from the table, or kept as REMOVED).
    assertThat(troupe.placementGroup(child.id()).join().map(PlacementGroupInfo::state)
        .orElse(PlacementGroupState.REMOVED)).isEqualTo(PlacementGroupState.REMOVED);
  }

  @Test
  void badInputIsRejectedAndNothingReserved() {
    assertThatThrownBy(() -> troupe.createPlacementGroup(PlacementGroupSpec.builder().build()))
        .isInstanceOf(PlacementGroupException.class);
    assertThatThrownBy(() -> troupe.createPlacementGroup(PlacementGroupSpec.builder().bundle(Map.of("CPU", 0)).build()))
        .isInstanceOf(PlacementGroupException.class);
    PlacementGroupId a = troupe.createPlacementGroup(PlacementGroupSpec.builder().name("dup")
        .bundle(Map.of("CPU", 0.1)).detached().build());
    assertThatThrownBy(() -> troupe.createPlacementGroup(PlacementGroupSpec.builder().name("dup")
        .bundle(Map.of("CPU", 0.1)).build())).hasMessageContaining("dup");
    troupe.removePlacementGroup(a).join();
  }

  @Test
  void infeasibleGroupReportsWhy() {
    PlacementGroupId id = troupe.createPlacementGroup(PlacementGroupSpec.builder()
        .bundle(Map.of("GPU", 8)).detached().build());
    assertThatThrownBy(() -> troupe.waitPlacementGroupReady(id, Duration.ofSeconds(1)).join())
        .hasMessageContaining("GPU");
    troupe.removePlacementGroup(id).join();
  }
}
