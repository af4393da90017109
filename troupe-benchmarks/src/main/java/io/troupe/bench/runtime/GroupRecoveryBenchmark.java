package io.troupe.bench.runtime;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Time from a node's death (SIGKILL of its OS process) to its placement groups being CREATED again
 * elsewhere. Nodes are separate processes on loopback ({@link BenchNode}); this JVM joins as a
 * resource-less driver. Each round: {@code groups} STRICT_SPREAD groups of two one-CPU bundles,
 * bundle 0 on the victim (label pool=a), bundle 1 on a stable node (pool=b); a spare pool=a node
 * joins, the victim is SIGKILLed, and every group is watched (10 ms polling) until it is CREATED
 * with bundle 0 on the spare; the spare is the next round's victim. The times include failure
 * detection ({@code fd}, the node setting that bounds it). Usage:
 * {@code GroupRecoveryBenchmark [groups=50] [rounds=4] [fd-millis=4000]}.
 */
public final class GroupRecoveryBenchmark {
  private GroupRecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int groups = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    long fd = args.length > 2 ? Long.parseLong(args[2]) : 4000;
    System.out.printf("Troupe group recovery benchmark: %d groups x %d victims, fd=%d ms; %d CPUs, Java %s%n",
        groups, rounds, fd, Runtime.getRuntime().availableProcessors(), Runtime.version());
    Path logs = Files.createTempDirectory("troupe-bench");
    List<BenchNode.Handle> procs = new ArrayList<>();
    String cpus = "cpus=" + (groups + 10);
    String fdArg = "fd=" + fd;
    try {
      BenchNode.Handle head = BenchNode.launch(logs.resolve("head.log"), "head", "port=" + freePort(), "cpus=1", fdArg);
      procs.add(head);
      String at = "address=" + head.address();
      procs.add(BenchNode.launch(logs.resolve("stable.log"), "worker", at, cpus, "label=pool:b", fdArg));
      BenchNode.Handle victim = BenchNode.launch(logs.resolve("victim-0.log"), "worker", at, cpus, "label=pool:a", fdArg);
      procs.add(victim);
      List<Double> all = new ArrayList<>();
      List<Double> afterDetection = new ArrayList<>();
      List<Double> detections = new ArrayList<>();
      try (TroupeNode driver = TroupeNode.start(NodeConfig.builder().headAddress(head.address()).numCpus(0.0)
          .numGpus(0).memoryBytes(0L).failureDetection(Duration.ofMillis(fd)).build())) {
        Troupe troupe = driver.client();
        for (int r = 0; r < rounds; r++) {
          List<PlacementGroupId> ids = new ArrayList<>();
          for (int g = 0; g < groups; g++) {
            ids.add(troupe.createPlacementGroup(PlacementGroupSpec.builder().strategy(PlacementStrategy.STRICT_SPREAD)
                .bundle(Bundle.of(Map.of("CPU", 1)).withLabels(Map.of("pool", "a")))
                .bundle(Bundle.of(Map.of("CPU", 1)).withLabels(Map.of("pool", "b"))).build()));
          }
          for (PlacementGroupId id : ids) {
            PlacementGroupInfo i = troupe.waitPlacementGroupReady(id, Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
            if (!node(i, 0).equals(victim.nodeId())) {
              throw new IllegalStateException("bundle 0 of " + id + " is not on the victim: " + i);
            }
          }
          BenchNode.Handle spare = BenchNode.launch(logs.resolve("victim-" + (r + 1) + ".log"), "worker", at, cpus,
              "label=pool:a", fdArg);
          procs.add(spare);

          long killedAt = System.nanoTime();
          victim.kill();
          String victimId = victim.nodeId();
          Map<PlacementGroupId, Double> back = new HashMap<>();
          double detected = -1;
          long deadline = killedAt + TimeUnit.SECONDS.toNanos(120);
          while (back.size() < groups) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("only " + back.size() + " of " + groups + " groups back after 120 s");
            }
            LockSupport.parkNanos(10_000_000L);
            CompletableFuture<List<PlacementGroupInfo>> list = troupe.placementGroups();
            CompletableFuture<ClusterStatus> status = detected < 0 ? troupe.status() : null;
            double now = (System.nanoTime() - killedAt) / 1e9;
            for (PlacementGroupInfo i : list.get(30, TimeUnit.SECONDS)) {
              if (ids.contains(i.id()) && !back.containsKey(i.id()) && i.state() == PlacementGroupState.CREATED
                  && node(i, 0).equals(spare.nodeId())) {
                back.put(i.id(), now);
              }
            }
            if (status != null && status.get(30, TimeUnit.SECONDS).nodes().stream().anyMatch(n ->
                n.nodeId().value().equals(victimId) && NodeInfo.DEAD.equals(n.state()))) {
              detected = now;
            }
          }
          double[] times = back.values().stream().mapToDouble(Double::doubleValue).toArray();
          for (double t : times) {
            all.add(t);
            afterDetection.add(t - detected);
          }
          detections.add(detected);
          System.out.printf("  victim %d: node DEAD at %.2f s; groups CREATED again: median %.2f s, p90 %.2f s,"
              + " last %.2f s after SIGKILL%n", r + 1, detected, Stats.median(times), Stats.percentile(times, 90),
              Stats.percentile(times, 100));
          for (PlacementGroupId id : ids) {
            troupe.removePlacementGroup(id).get(30, TimeUnit.SECONDS);
          }
          victim = spare;
        }
      }
      double[] a = all.stream().mapToDouble(Double::doubleValue).toArray();
      double[] d = afterDetection.stream().mapToDouble(Double::doubleValue).toArray();
      double[] det = detections.stream().mapToDouble(Double::doubleValue).toArray();
      System.out.printf("SIGKILL -> group CREATED again (%d groups over %d victims, fd=%d ms): median %.2f s,"
          + " p90 %.2f s, max %.2f s; of which node death detection median %.2f s; after detection: median %.0f ms,"
          + " p90 %.0f ms%n", a.length, rounds, fd, Stats.median(a), Stats.percentile(a, 90), Stats.percentile(a, 100),
          Stats.median(det), Stats.median(d) * 1e3, Stats.percentile(d, 90) * 1e3);
    } finally {
      for (BenchNode.Handle p : procs) {
        p.process().destroyForcibly();
      }
    }
  }

  static String node(PlacementGroupInfo i, int bundle) {
    return i.bundles().get(bundle).node().map(NodeId::value).orElse("-");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
