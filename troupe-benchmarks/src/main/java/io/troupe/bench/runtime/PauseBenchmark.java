package io.troupe.bench.runtime;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The failure detector's false positives: a live node frozen for N ms (SIGSTOP, then SIGCONT — a
 * stop-the-world pause of the whole JVM, like a long GC pause) should come back, not be declared
 * dead. Nodes are separate processes on loopback ({@link BenchNode}); this JVM joins as a driver.
 * For each pause length, {@code trials} times: freeze one worker for N ms, resume it, and watch the
 * head's cluster status for {@code fd} + 4 s; a node seen DEAD is a false positive (it is replaced
 * by a new worker). Also one SIGKILL per run for the true positive's detection time. Usage:
 * {@code PauseBenchmark [fd-millis=4000] [trials=3] [pauses-ms=1000,2000,3000,4000,6000]}.
 */
public final class PauseBenchmark {
  private PauseBenchmark() {}

  public static void main(String[] args) throws Exception {
    long fd = args.length > 0 ? Long.parseLong(args[0]) : 4000;
    int trials = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long[] pauses = Arrays.stream((args.length > 2 ? args[2] : "1000,2000,3000,4000,6000").split(","))
        .mapToLong(Long::parseLong).toArray();
    System.out.printf("Troupe failure-detector pause benchmark: fd=%d ms, %d trials per pause %s; %d CPUs, Java %s%n",
        fd, trials, Arrays.toString(pauses), Runtime.getRuntime().availableProcessors(), Runtime.version());
    Path logs = Files.createTempDirectory("troupe-bench");
    List<BenchNode.Handle> procs = new ArrayList<>();
    String fdArg = "fd=" + fd;
    int launched = 0;
    try {
      BenchNode.Handle head = BenchNode.launch(logs.resolve("head.log"), "head",
          "port=" + GroupRecoveryBenchmark.freePort(), "cpus=1", fdArg);
      procs.add(head);
      String at = "address=" + head.address();
      BenchNode.Handle worker = BenchNode.launch(logs.resolve("worker-" + launched++ + ".log"), "worker", at, fdArg);
      procs.add(worker);
      Map<Long, int[]> downed = new LinkedHashMap<>();
      try (TroupeNode driver = TroupeNode.start(NodeConfig.builder().headAddress(head.address()).numCpus(0.0)
          .numGpus(0).memoryBytes(0L).failureDetection(Duration.ofMillis(fd)).build())) {
        Troupe troupe = driver.client();
        for (long pause : pauses) {
          int[] count = new int[1];
          for (int t = 0; t < trials; t++) {
            waitAlive(troupe, worker.nodeId(), 60);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(fd)); // a few heartbeats to learn from
            signal("STOP", worker.process().pid());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pause));
            signal("CONT", worker.process().pid());
            boolean dead = seenDead(troupe, worker.nodeId(), fd + 4000);
            System.out.printf("  pause %5d ms, trial %d: %s%n", pause, t + 1, dead ? "DECLARED DEAD" : "stayed alive");
            if (dead) {
              count[0]++;
              worker.process().destroyForcibly();
              worker = BenchNode.launch(logs.resolve("worker-" + launched++ + ".log"), "worker", at, fdArg);
              procs.add(worker);
            }
          }
          downed.put(pause, count);
        }
        waitAlive(troupe, worker.nodeId(), 60);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(fd));
        long killed = System.nanoTime();
        worker.kill();
        if (!seenDead(troupe, worker.nodeId(), 60_000)) {
          throw new IllegalStateException("SIGKILLed node not declared dead in 60 s");
        }
        double detect = (System.nanoTime() - killed) / 1e9;
        StringBuilder sb = new StringBuilder();
        downed.forEach((p, c) -> sb.append(String.format(" %d ms: %d/%d;", p, c[0], trials)));
        System.out.printf("false positives (paused node declared dead) by pause length:%s SIGKILL -> DEAD in %.2f s"
            + " (fd=%d ms)%n", sb, detect, fd);
      }
    } finally {
      for (BenchNode.Handle p : procs) {
        p.process().destroyForcibly();
      }
    }
  }

  private static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
    }
  }

  private static boolean seenDead(Troupe troupe, String nodeId, long forMillis) throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMillis);
    while (System.nanoTime() < end) {
      if (state(troupe, nodeId).equals(NodeInfo.DEAD)) {
        return true;
      }
      LockSupport.parkNanos(50_000_000L);
    }
    return false;
  }

  private static void waitAlive(Troupe troupe, String nodeId, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!state(troupe, nodeId).equals(NodeInfo.ALIVE)) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("node " + nodeId + " not ALIVE in " + seconds + " s");
      }
      LockSupport.parkNanos(50_000_000L);
    }
  }

  private static String state(Troupe troupe, String nodeId) throws Exception {
    return troupe.status().get(30, TimeUnit.SECONDS).nodes().stream()
        .filter(n -> n.nodeId().value().equals(nodeId)).map(NodeInfo::state).findFirst().orElse("UNKNOWN");
  }
}
