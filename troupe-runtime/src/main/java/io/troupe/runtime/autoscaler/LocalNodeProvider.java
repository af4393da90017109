package io.troupe.runtime.autoscaler;

import io.troupe.runtime.autoscaler.spi.NodeLaunch;
import io.troupe.runtime.autoscaler.spi.NodeLaunchException;
import io.troupe.runtime.autoscaler.spi.NodeProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Provider {@code local}: each node is a worker process on this machine (for development and tests), started
 * with the command {@code command} builds for the launch (the CLI: {@code java ... io.troupe.cli.Main start
 * --block <launch.startArgs()>}), its output in {@code logDir/<launch-id>.log}, the provider's {@code env}
 * added to its environment. Terminate sends SIGTERM, then SIGKILL after {@link #STOP_GRACE_SECONDS}.
 *
 * <p>Thread-safe.
 */
public final class LocalNodeProvider implements NodeProvider {
  static final long STOP_GRACE_SECONDS = 10;

  private final Function<NodeLaunch, List<String>> command;
  private final Path logDir;
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Map<String, Path> logs = new ConcurrentHashMap<>();

  public LocalNodeProvider(Function<NodeLaunch, List<String>> command, Path logDir) {
    this.command = command;
    this.logDir = logDir;
  }

  @Override
  public String launch(NodeLaunch launch) throws NodeLaunchException {
    List<String> argv = command.apply(launch);
    Path log = logDir.resolve(launch.launchId() + ".log");
    try {
      Files.createDirectories(logDir);
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(launch.env());
      Process p = pb.start();
      String id = Long.toString(p.pid());
      processes.put(id, p);
      logs.put(id, log);
      return id;
    } catch (IOException e) {
      throw new NodeLaunchException("cannot start a local worker process (" + argv.get(0) + "): " + e.getMessage());
    }
  }

  @Override
  public Optional<String> failure(String providerNodeId) {
    Process p = processes.get(providerNodeId);
    if (p == null || p.isAlive()) {
      return Optional.empty();
    }
    return Optional.of("the local worker process " + providerNodeId + " exited with code " + p.exitValue()
        + " before it joined: " + lastLine(logs.get(providerNodeId)));
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).strip() + " (log: " + log + ")";
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return "see " + log;
  }

  @Override
  public void terminate(String providerNodeId, NodeLaunch launch) throws NodeLaunchException {
    Process p = processes.remove(providerNodeId);
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** Processes still running (tests). */
  public int running() {
    return (int) processes.values().stream().filter(Process::isAlive).count();
  }

  @Override
  public void close() {
    processes.values().forEach(Process::destroyForcibly);
    processes.clear();
  }
}
