package io.troupe.bench.placement;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.placement.InMemoryBundleAgents;
import io.troupe.runtime.placement.PlacementConfig;
import io.troupe.runtime.placement.PlacementGroupListener;
import io.troupe.runtime.placement.PlacementGroupManager;
import io.troupe.runtime.placement.PlacementGroupStore;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;

/**
 * Scheduler throughput on a simulated cluster: placement groups created (reserved by 2PC with
 * in-process node agents) and removed per second, for 1-bundle and 40-bundle groups. A program,
 * not a test: {@code java -cp ... io.troupe.bench.placement.SchedulerBenchmark [nodes] [reps] [only]}
 * ({@code only}: run just the scenarios whose label contains it, e.g. {@code SPREAD}).
 * Single-threaded, like the manager; the agents answer at once, so this measures the head's work
 * (policy, bookkeeping, 2PC driving, node-table reservation), not network latency.
 */
public final class SchedulerBenchmark {
  private SchedulerBenchmark() {}

  public static void main(String[] args) {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    only = args.length > 2 ? args[2] : "";
    System.out.printf("Troupe placement scheduler benchmark: %d nodes of {CPU: 64, GPU: 8}, %d repetitions, JDK %s%n",
        nodes, reps, Runtime.version());
    run("1 bundle {CPU: 1}, PACK", nodes, reps, 1, PlacementStrategy.PACK, 200, ResourceSet.of("CPU", 1));
    run("40 bundles {CPU: 1, GPU: 1}, SPREAD", nodes, reps, 40, PlacementStrategy.SPREAD, 20,
        ResourceSet.of("CPU", 1, "GPU", 1));
    run("40 bundles {CPU: 1, GPU: 1}, STRICT_SPREAD", nodes, reps, 40, PlacementStrategy.STRICT_SPREAD, 20,
        ResourceSet.of("CPU", 1, "GPU", 1));
    run("40 bundles {CPU: 1}, PACK", nodes, reps, 40, PlacementStrategy.PACK, 20, ResourceSet.of("CPU", 1));
  }

  private static String only = "";

  private static void run(String label, int nodes, int reps, int bundles, PlacementStrategy strategy, int batch,
      ResourceSet bundle) {
    if (!label.contains(only)) {
      return;
    }
    double[] rates = new double[reps];
    for (int r = -1; r < reps; r++) { // r = -1: warm-up
      rates[Math.max(r, 0)] = once(nodes, bundles, strategy, batch, bundle, r < 0 ? 1.0 : 3.0);
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    System.out.printf("%-45s median %8.1f groups/s (create+remove)  runs %s%n", label, sorted[reps / 2],
        Arrays.toString(Arrays.stream(rates).map(x -> Math.round(x * 10) / 10.0).toArray()));
  }

  private static double once(int nodes, int bundles, PlacementStrategy strategy, int batch, ResourceSet bundle,
      double seconds) {
    InMemoryBundleAgents agents = new InMemoryBundleAgents();
    Queue<Runnable> inbox = new ArrayDeque<>();
    PlacementGroupManager m = new PlacementGroupManager(PlacementConfig.DEFAULTS, agents, PlacementGroupStore.inMemory(),
        PlacementGroupListener.NONE, Clock.systemUTC(), new SplittableRandom(1), inbox::add);
    ResourceSet total = ResourceSet.of("CPU", 64, "GPU", 8);
    for (int i = 0; i < nodes; i++) {
      NodeId n = NodeId.of(String.format("node-%04d", i));
      agents.addNode(n, total);
      m.onNodeAdded(n, total, Map.of());
    }
    List<Bundle> bs = new ArrayList<>();
    for (int i = 0; i < bundles; i++) {
      bs.add(Bundle.of(bundle));
    }
    PlacementGroupSpec spec = PlacementGroupSpec.builder().bundles(bs).strategy(strategy).detached().build();
    long done = 0;
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (seconds * 1e9);
    while (System.nanoTime() < deadline) {
      List<PlacementGroupId> ids = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        ids.add(m.create(spec));
      }
      m.tick(Clock.systemUTC().instant());
      while (!inbox.isEmpty()) {
        inbox.poll().run();
      }
      for (PlacementGroupId id : ids) {
        if (m.info(id).orElseThrow().state() != PlacementGroupState.CREATED) {
          throw new IllegalStateException("not created: " + m.notReadyReason(id));
        }
        m.remove(id);
      }
      while (!inbox.isEmpty()) {
        inbox.poll().run();
      }
      done += batch;
    }
    if (agents.tables().values().stream().anyMatch(t -> !t.report().isEmpty())) {
      throw new IllegalStateException("bundles leaked");
    }
    return done / ((System.nanoTime() - t0) / 1e9);
  }
}
