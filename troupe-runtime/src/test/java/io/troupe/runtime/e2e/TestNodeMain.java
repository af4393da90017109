package io.troupe.runtime.e2e;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A node process for multi-process tests: {@code head|worker key=value...}; prints
 * {@code READY <node-id> <address> <dashboard-url>} once up and then runs until killed.
 */
public final class TestNodeMain {
  private TestNodeMain() {}

  public static void main(String[] args) throws Exception {
    boolean head = args[0].equals("head");
    Map<String, String> kv = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] p = args[i].split("=", 2);
      kv.put(p[0], p[1]);
    }
    NodeConfig.Builder b = NodeConfig.builder().head(head)
        .port(Integer.parseInt(kv.getOrDefault("port", "0")))
        .headAddress(kv.get("address"))
        .dashboardPort(Integer.parseInt(kv.getOrDefault("dashboard", "0")))
        .numCpus(Double.parseDouble(kv.getOrDefault("cpus", "2")))
        .numGpus(Integer.parseInt(kv.getOrDefault("gpus", "0")))
        .memoryBytes(1L << 30)
        .failureDetection(Duration.ofMillis(Long.parseLong(kv.getOrDefault("fd", "5000"))));
    if (kv.containsKey("state")) {
      b.stateDir(java.nio.file.Path.of(kv.get("state")));
    }
    if (kv.containsKey("label")) {
      String[] l = kv.get("label").split(":", 2);
      b.labels(Map.of(l[0], l[1]));
    }
    try {
      TroupeNode node = TroupeNode.start(b.build());
      System.out.println("READY " + node.nodeId() + " " + node.address() + " " + node.dashboardUrl());
      System.out.flush();
      node.whenTerminated().toCompletableFuture().join();
    } catch (RuntimeException e) {
      System.out.println("FAILED " + e.getMessage());
      System.exit(1);
    }
  }
}
