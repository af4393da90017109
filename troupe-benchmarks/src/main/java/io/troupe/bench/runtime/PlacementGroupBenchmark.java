package io.troupe.bench.runtime;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Placement groups end to end on an embedded 3-node cluster (head + 2 workers in one JVM, real
 * cluster transport over loopback): per round, {@code groups} SPREAD groups of 3 one-CPU bundles
 * are created, waited for (CREATED), and an actor is created in each bundle and answers a call;
 * then every group is removed (which kills its actors) until all nodes report all CPUs free.
 * Usage: {@code PlacementGroupBenchmark [groups=1000] [rounds=3]}.
 */
public final class PlacementGroupBenchmark {
  private PlacementGroupBenchmark() {}

  public static void main(String[] args) throws Exception {
    int groups = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int bundles = 3;
    System.out.printf("Troupe placement-group benchmark: %d groups x %d bundles (+1 actor each) x %d rounds;"
        + " %d CPUs, Java %s%n", groups, bundles, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(10_000)
        .dashboard(false).failureDetection(Duration.ofSeconds(30)).build())) {
      Troupe troupe = cluster.troupe();
      double[] createRates = new double[rounds];
      double[] removeRates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        List<PlacementGroupId> ids = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
          PlacementGroupSpec.Builder b = PlacementGroupSpec.builder().strategy(PlacementStrategy.SPREAD);
          for (int i = 0; i < bundles; i++) {
            b.bundle(Map.of("CPU", 1));
          }
          ids.add(troupe.createPlacementGroup(b.build()));
        }
        List<CompletableFuture<?>> ready = new ArrayList<>(groups);
        for (PlacementGroupId id : ids) {
          ready.add(troupe.waitPlacementGroupReady(id, Duration.ofSeconds(120)));
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
        double reserved = (System.nanoTime() - t0) / 1e9;
        List<CompletableFuture<Object>> answered = new ArrayList<>(groups * bundles);
        for (PlacementGroupId id : ids) {
          for (int i = 0; i < bundles; i++) {
            ActorHandle<BenchActor> h = troupe.createActor(BenchActor.class, ActorOptions.builder().cpus(1)
                .strategy(SchedulingStrategy.inGroup(id, i)).build());
            answered.add(h.call("ping", i));
          }
        }
        CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        double created = (System.nanoTime() - t0) / 1e9;
        createRates[r] = groups / created;

        long t1 = System.nanoTime();
        List<CompletableFuture<Void>> removals = new ArrayList<>(groups);
        for (PlacementGroupId id : ids) {
          removals.add(troupe.removePlacementGroup(id));
        }
        CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        double acked = (System.nanoTime() - t1) / 1e9;
        awaitAllFree(troupe, 120);
        double removed = (System.nanoTime() - t1) / 1e9;
        removeRates[r] = groups / removed;
        System.out.printf("  round %d: %d groups CREATED in %.2f s, + %d actors answering at %.2f s = %.1f groups/s;"
            + " removal acknowledged in %.2f s, all CPUs free at %.2f s = %.1f groups/s%n", r + 1, groups, reserved,
            groups * bundles, created, createRates[r], acked, removed, removeRates[r]);
      }
      System.out.printf("create + ready + actors answering: median %.1f groups/s (rounds %s); removal: median %.1f"
          + " groups/s (rounds %s); Ray many_pgs: ~18.9 groups/s%n", Stats.median(createRates), fmt(createRates),
          Stats.median(removeRates), fmt(removeRates));
    }
  }

  /** Waits until every live node reports all its CPUs available (removed groups and their actors released). */
  static void awaitAllFree(Troupe troupe, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      ClusterStatus s = troupe.status().get(30, TimeUnit.SECONDS);
      boolean free = s.nodes().stream().filter(n -> NodeInfo.ALIVE.equals(n.state()))
          .allMatch(n -> n.resourcesAvailable().get(ResourceSet.CPU) >= n.resourcesTotal().get(ResourceSet.CPU));
      if (free) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("resources not all free after " + seconds + " s: " + s.nodes());
      }
      LockSupport.parkNanos(10_000_000L);
    }
  }

  static String fmt(double[] v) {
    List<String> s = new ArrayList<>();
    for (double d : v) {
      s.add(String.format("%.1f", d));
    }
    return String.join(", ", s);
  }
}
