package io.troupe.serve.e2e;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.serve.api.ServeExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A node process with serving enabled, for multi-process tests: {@code head|worker key=value...}
 * (port, address, dashboard, cpus, fd, state); prints {@code READY <node-id> <address> <dashboard-url>}
 * once up and runs until killed. Proxies listen on the port given by {@code -Dtroupe.serve.proxy-port}.
 */
public final class ServeTestNodeMain {
  private ServeTestNodeMain() {
  }

  public static void main(String[] args) {
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
        .numGpus(0)
        .memoryBytes(1L << 30)
        .failureDetection(Duration.ofMillis(Long.parseLong(kv.getOrDefault("fd", "4000"))));
    if (kv.containsKey("state")) {
      b.stateDir(Path.of(kv.get("state")));
    }
    try {
      ServeExtension.Builder serve = ServeExtension.builder();
      String proxyPort = System.getProperty("troupe.serve.proxy-port"); // several nodes on one host
      if (proxyPort != null) {
        serve.proxyPort(Integer.parseInt(proxyPort));
      }
      TroupeNode node = TroupeNode.start(b.extensions(java.util.List.of(serve.build())).build());
      System.out.println("READY " + node.nodeId() + " " + node.address() + " " + node.dashboardUrl());
      System.out.flush();
      node.whenTerminated().toCompletableFuture().join();
    } catch (RuntimeException e) {
      System.out.println("FAILED " + e.getMessage());
      System.exit(1);
    }
  }
}
