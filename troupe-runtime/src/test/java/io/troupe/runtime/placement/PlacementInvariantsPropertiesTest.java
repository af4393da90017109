package io.troupe.runtime.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.resources.Allocation;
import io.troupe.testkit.PropertyTimeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of create / remove / add node / kill node / create actor in bundle / time passing,
 * checking after every step: no node over-committed (head view and node ledgers), no GPU id in two
 * bundles, STRICT_* honoured for CREATED groups, every CREATED bundle committed on an alive node,
 * nothing held for removed groups.
 */
@PropertyTimeout(seconds = 120)
class PlacementInvariantsPropertiesTest {

  @Property(tries = 150)
  void invariantsHoldAfterEveryStep(@ForAll @Size(min = 5, max = 40) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
    Sim sim = new Sim();
    List<NodeId> alive = new ArrayList<>();
    List<PlacementGroupId> groups = new ArrayList<>();
    Set<PlacementGroupId> removed = new HashSet<>();
    int nodeSeq = 0;
    for (int i = 0; i < 3; i++) {
      alive.add(sim.node("n" + nodeSeq++, 8, 4));
    }
    int actorSeq = 0;
    for (int op : ops) {
      int kind = op % 10;
      int arg = op / 10;
      switch (kind) {
        case 0, 1, 2 -> {
          PlacementStrategy s = PlacementStrategy.values()[arg % 4];
          int n = 1 + (arg / 4) % 4;
          List<Bundle> bs = new ArrayList<>();
          for (int b = 0; b < n; b++) {
            int v = arg / (16 * (b + 1));
            bs.add(Bundle.of(ResourceSet.of("CPU", 1 + v % 3, "GPU", (v / 3) % 3)));
          }
          groups.add(sim.create(PlacementGroupSpec.builder().bundles(bs).strategy(s).build()));
        }
        case 3 -> {
          if (!groups.isEmpty()) {
            PlacementGroupId g = groups.remove(arg % groups.size());
            sim.manager.remove(g);
            removed.add(g);
          }
        }
        case 4 -> alive.add(sim.node("n" + nodeSeq++, 4 + arg % 8, arg % 5, Map.of()));
        case 5 -> {
          if (alive.size() > 1) {
            sim.kill(alive.remove(arg % alive.size()));
          }
        }
        case 6 -> {
          if (!groups.isEmpty()) {
            PlacementGroupId g = groups.get(arg % groups.size());
            int nb = sim.manager.info(g).map(x -> x.bundles().size()).orElse(1);
            sim.manager.placeActor(ActorId.of("a" + actorSeq++), g, OptionalInt.of((arg / 7) % nb),
                ResourceSet.of("CPU", 1, "GPU", (arg / 3) % 2), null);
          }
        }
        default -> sim.advance(Duration.ofMillis(50L * (1 + arg % 100)));
      }
      sim.step();
      check(sim, alive, removed);
    }
  }

  private static void check(Sim sim, List<NodeId> alive, Set<PlacementGroupId> removed) {
    // Node side: no over-commit, no GPU id in two bundles, nothing for removed groups.
    sim.agents.tables().forEach((node, table) -> {
      ResourceSet held = ResourceSet.EMPTY;
      Set<String> gpuIds = new HashSet<>();
      for (HeldBundle h : table.report()) {
        held = held.plus(h.allocation().resources());
        for (String id : h.allocation().gpuIds()) {
          assertThat(gpuIds.add(id)).as("GPU %s of %s in two bundles", id, node).isTrue();
        }
        assertThat(removed).as("bundle of removed group held on %s", node).doesNotContain(h.group());
      }
      assertThat(held.fitsIn(table.nodeLedger().total())).as("node %s over-committed", node).isTrue();
    });
    // Head side: the view never reserves more than a node has.
    ManagerState s = sim.manager.state();
    for (NodeId n : alive) {
      assertThat(s.cluster.reserved(n).fitsIn(s.cluster.total(n))).as("head view over-commits %s", n).isTrue();
    }
    for (PlacementGroupInfo info : sim.manager.list()) {
      if (info.state() != PlacementGroupState.CREATED) {
        continue;
      }
      Set<NodeId> nodes = new HashSet<>();
      for (PlacementGroupInfo.BundleInfo b : info.bundles()) {
        NodeId n = b.node().orElseThrow();
        assertThat(alive).as("CREATED bundle on dead node").contains(n);
        assertThat(sim.agents.tables().get(n).report()).anySatisfy(h -> {
          assertThat(h.group()).isEqualTo(info.id());
          assertThat(h.index()).isEqualTo(b.index());
          assertThat(h.phase()).isEqualTo(HeldBundle.Phase.COMMITTED);
        });
        nodes.add(n);
      }
      if (info.strategy() == PlacementStrategy.STRICT_PACK) {
        assertThat(nodes).hasSize(1);
      }
      if (info.strategy() == PlacementStrategy.STRICT_SPREAD) {
        assertThat(nodes).hasSize(info.bundles().size());
      }
    }
    assertThat(Allocation.NONE.gpuIds()).isEmpty();
  }
}
