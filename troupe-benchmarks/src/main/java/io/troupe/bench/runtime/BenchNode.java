package io.troupe.bench.runtime;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own OS process for benchmarks that kill nodes: {@code head|worker key=value...}
 * (port, address, cpus, label=k:v, fd=millis); prints {@code READY <node-id> <address>} once up.
 * {@link #launch} starts one from a benchmark with the benchmark's own classpath.
 */
public final class BenchNode {
  /** A launched node process. */
  public record Handle(Process process, String nodeId, String address) {
    /** SIGKILL: no goodbye to the cluster. */
    public void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private BenchNode() {}

  public static void main(String[] args) {
    Map<String, String> kv = new java.util.HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] p = args[i].split("=", 2);
      kv.put(p[0], p[1]);
    }
    NodeConfig.Builder b = NodeConfig.builder().head(args[0].equals("head"))
        .port(Integer.parseInt(kv.getOrDefault("port", "0"))).headAddress(kv.get("address")).dashboardPort(0)
        .numCpus(Double.parseDouble(kv.getOrDefault("cpus", "2"))).numGpus(0).memoryBytes(1L << 30)
        .failureDetection(Duration.ofMillis(Long.parseLong(kv.getOrDefault("fd", "4000"))));
    if (kv.containsKey("label")) {
      String[] l = kv.get("label").split(":", 2);
      b.labels(Map.of(l[0], l[1]));
    }
    try {
      TroupeNode node = TroupeNode.start(b.build());
      System.out.println("READY " + node.nodeId() + " " + node.address());
      System.out.flush();
      node.whenTerminated().toCompletableFuture().join();
    } catch (RuntimeException e) {
      System.out.println("FAILED " + e.getMessage());
      System.exit(1);
    }
  }

  /** Starts a node process (output to {@code log}) and waits up to 90 s for it to be ready. */
  public static Handle launch(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), BenchNode.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
           var out = Files.newBufferedWriter(log)) {
        String line;
        while ((line = r.readLine()) != null) {
          out.write(line);
          out.newLine();
          if (line.startsWith("READY ") || line.startsWith("FAILED ")) {
            out.flush();
            ready.complete(line);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      ready.complete("EXITED");
    });
    String line = ready.get(90, TimeUnit.SECONDS);
    if (!line.startsWith("READY ")) {
      p.destroyForcibly();
      throw new IllegalStateException("node did not start: " + line + " (log: " + log + ")");
    }
    String[] parts = line.split(" ");
    return new Handle(p, parts[1], parts[2]);
  }
}
