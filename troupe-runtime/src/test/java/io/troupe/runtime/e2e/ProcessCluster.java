package io.troupe.runtime.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: Troupe nodes as separate OS processes on loopback. Close to kill them all; logs stay in
 * a temp dir. The node's main class prints {@code READY nodeId address dashboardUrl} (see
 * {@link TestNodeMain}); other modules' tests pass their own (shared through troupe-runtime's test-jar).
 */
public final class ProcessCluster implements AutoCloseable {
  /** One node process and what it printed when ready. */
  public record Node(Process process, String nodeId, String address, String dashboardUrl, Path log) {}

  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private final Path logDir;
  private final Class<?> mainClass;
  private final List<String> jvmArgs;

  /** Nodes run {@link TestNodeMain}. */
  public ProcessCluster() throws IOException {
    this(TestNodeMain.class, List.of());
  }

  /** Nodes run {@code mainClass} with {@code jvmArgs} added to the JVM's options. */
  public ProcessCluster(Class<?> mainClass, List<String> jvmArgs) throws IOException {
    this.logDir = Files.createTempDirectory("troupe-e2e");
    this.mainClass = mainClass;
    this.jvmArgs = List.copyOf(jvmArgs);
  }

  /** Starts a node in the background; the future completes once it printed READY. */
  public CompletableFuture<Node> startAsync(String... args) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return start(args);
      } catch (Exception e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    });
  }

  public Node start(String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(List.of(args));
    Path log = logDir.resolve("node-" + System.nanoTime() + "-" + args[0] + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
           var out = Files.newBufferedWriter(log)) {
        String line;
        while ((line = r.readLine()) != null) {
          out.write(line);
          out.newLine();
          out.flush();
          if (line.startsWith("READY ") || line.startsWith("FAILED ")) {
            ready.complete(line);
          }
        }
      } catch (IOException ignored) {
        // process ended
      }
      ready.complete("EXITED");
    });
    String line = ready.get(90, TimeUnit.SECONDS);
    if (!line.startsWith("READY ")) {
      p.destroyForcibly();
      throw new IllegalStateException("node did not start: " + line + "\n" + Files.readString(log));
    }
    String[] parts = line.split(" ");
    Node n = new Node(p, parts[1], parts[2], parts[3], log);
    nodes.add(n);
    return n;
  }

  public Path logDir() {
    return logDir;
  }

  /** SIGKILL: no goodbye to the cluster. */
  public void kill(Node n) throws InterruptedException {
    n.process().destroyForcibly();
    n.process().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.process().destroyForcibly();
    }
    for (Node n : nodes) {
      try {
        n.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
