package io.troupe.bench.autoscaling;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.autoscaler.BinPacking;
import io.troupe.runtime.autoscaler.Demand;
import io.troupe.runtime.autoscaler.NodeCapacity;
import io.troupe.runtime.autoscaler.NodeType;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.controller.ClusterOps;
import io.troupe.serve.controller.ControllerCheckpoint;
import io.troupe.serve.controller.ReplicaRuntimeConfig;
import io.troupe.serve.controller.ReplicaStartSpec;
import io.troupe.serve.controller.ServeController;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Autoscaling decision costs (issue 12), in one JVM with no cluster:
 * <ol>
 *   <li>the cluster autoscaler's bin-packing of 1,000 pending demands (actors, STRICT_SPREAD / STRICT_PACK / PACK
 *       groups, label selectors) over 100 node types and 50 live nodes, beside the same demands over 10 types;</li>
 *   <li>the serve controller's reconcile tick (every 100 ms) with 1,000 autoscaling deployments, each with 3
 *       reporters reporting every second (10x Ray's default metrics_interval_s), beside the same controller with
 *       no load reported (no autoscaling work).</li>
 * </ol>
 * Usage: {@code AutoscalingBenchmark [rounds]} (default 30); prints medians and ratios.
 */
public final class AutoscalingBenchmark {
  private AutoscalingBenchmark() {
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    binPacking(rounds);
    controller(rounds);
  }

  // ------------------------------------------------------------------ bin-packing

  static Map<String, NodeType> types(int n, SplittableRandom r) {
    Map<String, NodeType> out = new LinkedHashMap<>();
    String[] acc = {"A100", "H100", "L4", "T4"};
    for (int i = 0; i < n; i++) {
      int gpus = i % 3 == 0 ? 0 : 1 << r.nextInt(4);
      Map<String, Double> res = new HashMap<>(Map.of("CPU", (double) (4 << r.nextInt(5))));
      if (gpus > 0) {
        res.put("GPU", (double) gpus);
      }
      Map<String, String> labels = gpus > 0 ? Map.of("accelerator", acc[i % acc.length]) : Map.of();
      out.put("type-" + i, new NodeType("type-" + i, ResourceSet.of(res), labels, 0, 20, Map.of()));
    }
    return out;
  }

  static List<Demand> demands(int n, SplittableRandom r) {
    List<Demand> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      switch (i % 5) {
        case 0 -> out.add(Demand.actor("actor-" + i, Bundle.of(Map.of("CPU", 1 + r.nextInt(4)))));
        case 1 -> out.add(Demand.actor("actor-" + i, Bundle.of(Map.of("CPU", 1, "GPU", 1))
            .withLabels(Map.of("accelerator", r.nextBoolean() ? "H100" : "L4"))));
        case 2 -> {
          int k = 2 + r.nextInt(3);
          Bundle[] bs = new Bundle[k];
          Arrays.fill(bs, Bundle.of(Map.of("CPU", 1, "GPU", 1)));
          out.add(new Demand("pg-" + i, List.of(bs), PlacementStrategy.STRICT_SPREAD));
        }
        case 3 -> out.add(new Demand("pg-" + i, List.of(Bundle.of(Map.of("GPU", 2)), Bundle.of(Map.of("GPU", 2))),
            PlacementStrategy.STRICT_PACK));
        default -> out.add(new Demand("pg-" + i, List.of(Bundle.of(Map.of("CPU", 2)), Bundle.of(Map.of("CPU", 2))),
            PlacementStrategy.PACK));
      }
    }
    return out;
  }

  static List<NodeCapacity> live(int n) {
    List<NodeCapacity> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ResourceSet total = ResourceSet.of(Map.of("CPU", 16, "GPU", 2));
      out.add(new NodeCapacity("node-" + i, Optional.empty(), total, i % 2 == 0 ? total : ResourceSet.of("CPU", 1),
          Map.of("accelerator", "H100")));
    }
    return out;
  }

  static void binPacking(int rounds) {
    SplittableRandom r = new SplittableRandom(42);
    List<Demand> demands = demands(1000, r);
    List<NodeCapacity> nodes = live(50);
    Map<String, NodeType> t100 = types(100, new SplittableRandom(1));
    Map<String, NodeType> t10 = types(10, new SplittableRandom(1));
    BinPacking.Plan plan = null;
    for (int i = 0; i < 20; i++) { // warm-up
      plan = BinPacking.plan(demands, nodes, t100, Map.of(), 10_000);
      BinPacking.plan(demands, nodes, t10, Map.of(), 10_000);
    }
    long[] big = new long[rounds];
    long[] small = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      plan = BinPacking.plan(demands, nodes, t100, Map.of(), 10_000);
      big[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      BinPacking.plan(demands, nodes, t10, Map.of(), 10_000);
      small[i] = System.nanoTime() - t0;
    }
    System.out.printf("bin-packing 1,000 demands, 50 live nodes, 100 node types: median %.2f ms, p90 %.2f ms "
            + "(plan: %d launches over %d types, %d infeasible, %d at limit)%n", ms(median(big)), ms(p90(big)),
        plan.totalLaunches(), plan.launches().size(), plan.infeasible().size(), plan.atLimit().size());
    System.out.printf("  same demands over 10 node types: median %.2f ms; 100/10 types = %.2fx; "
        + "vs Ray's default update interval (5 s): %.4f%%%n", ms(median(small)), median(big) / (double) median(small),
        100 * median(big) / 5e9);
  }

  // ------------------------------------------------------------------ controller

  /** Every replica is ready at once; nothing else happens. */
  static final class InstantCluster implements ClusterOps {
    @Override
    public void startReplica(ReplicaStartSpec spec) {
    }

    @Override
    public ReplicaReport poll(ReplicaId id) {
      return new ReplicaReport.Ready(NodeId.of("n"), Optional.empty(), Optional.of(ActorId.of("a-" + id.unique())));
    }

    @Override
    public void reconfigure(ReplicaId id, ReplicaRuntimeConfig config) {
    }

    @Override
    public void checkHealth(ReplicaId id) {
    }

    @Override
    public HealthReport pollHealth(ReplicaId id) {
      return new HealthReport.Healthy();
    }

    @Override
    public void stopReplica(ReplicaId id, Duration waitLoop, Duration timeout) {
    }

    @Override
    public void removePlacementGroup(PlacementGroupId id) {
    }

    @Override
    public void saveCheckpoint(ControllerCheckpoint checkpoint) {
    }
  }

  /** A deployment class name only; the instant cluster never loads it. */
  public static final class Model {
  }

  static ServeController controllerWith(int deployments) {
    ServeController c = new ServeController(new InstantCluster(), Clock.systemUTC(), new SplittableRandom(7));
    AutoscalingConfig a = AutoscalingConfig.builder().minReplicas(1).maxReplicas(4).targetOngoingRequests(2)
        .upscaleDelay(Duration.ofHours(1)).downscaleDelay(Duration.ofHours(1)).build();
    for (int i = 0; i < deployments; i++) {
      c.deploy("app" + i, Optional.of("/app" + i), Application.of(BoundDeployment.bind(Model.class,
          DeploymentConfig.builder().autoscaling(a))));
    }
    for (int i = 0; i < 3; i++) {
      c.update();
    }
    return c;
  }

  static void controller(int rounds) {
    int n = 1000;
    ServeController withLoad = controllerWith(n);
    ServeController without = controllerWith(n);
    List<DeploymentId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(new DeploymentId("app" + i, "Model"));
    }
    Clock clock = Clock.systemUTC();
    long[] tick = new long[rounds];
    long[] record = new long[rounds];
    long[] bare = new long[rounds];
    for (int i = -60; i < rounds; i++) {
      sleepUntilNextTick();
      long t0 = System.nanoTime();
      var now = clock.instant();
      // every tick (100 ms) a tenth of the deployments' reporters report: each reports once a second
      int slice = Math.floorMod(i, 10);
      for (int j = slice; j < ids.size(); j += 10) {
        for (int k = 0; k < 3; k++) {
          withLoad.recordLoad(ids.get(j), "caller:node-" + k, now, 2);
        }
      }
      long t1 = System.nanoTime();
      withLoad.update();
      long t2 = System.nanoTime();
      without.update();
      long t3 = System.nanoTime();
      if (i >= 0) {
        record[i] = t1 - t0;
        tick[i] = t2 - t1;
        bare[i] = t3 - t2;
      }
    }
    System.out.printf("controller tick, 1,000 autoscaling deployments with 3 reporters each (one report a second): "
        + "median %.2f ms, p90 %.2f ms (recording one tick's 300 samples: median %.2f ms)%n", ms(median(tick)), ms(p90(tick)),
        ms(median(record)));
    System.out.printf("  same controller, no load reported: median %.2f ms; with/without = %.2fx; tick period "
        + "100 ms -> %.1f%% of it used%n", ms(median(bare)), median(tick) / (double) median(bare),
        100 * (median(tick) + median(record)) / 1e8);
  }

  /** Real ticks are 100 ms apart; the controller's clock is the wall clock. */
  private static void sleepUntilNextTick() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static long p90(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
