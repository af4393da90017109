package io.troupe.runtime.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run as a supervised OS process (see {@link ProcessLauncher}).
 *
 * @param name          a short name for its log and pid files (letters, digits, {@code ._-}; other characters are
 *                      replaced), e.g. {@code llm-big-r0-node0-e3}
 * @param command       the argv; {@code command[0]} is looked up on the {@code PATH} (of {@code env} when it sets one,
 *                      else of the node) unless it contains a {@code /}
 * @param env           extra environment on top of the node's; {@code CUDA_VISIBLE_DEVICES} here wins over the
 *                      launching actor's GPU ids (a launcher that owns several bundles' GPUs on one node says so)
 * @param workDir       working directory; null: the node's
 * @param gracefulStop  how long {@link SupervisedProcess#close()} waits after SIGTERM before SIGKILL (default 10 s)
 */
public record ProcessSpec(String name, List<String> command, Map<String, String> env, Path workDir,
    Duration gracefulStop) {
  /** The default {@link #gracefulStop}. */
  public static final Duration DEFAULT_GRACEFUL_STOP = Duration.ofSeconds(10);

  public ProcessSpec {
    Objects.requireNonNull(name, "name");
    name = name.replaceAll("[^A-Za-z0-9._-]", "_");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a process needs a name");
    }
    command = List.copyOf(command);
    if (command.isEmpty() || command.get(0).isBlank()) {
      throw new IllegalArgumentException("process '" + name + "' needs a command (argv[0] is empty)");
    }
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    gracefulStop = gracefulStop == null ? DEFAULT_GRACEFUL_STOP : gracefulStop;
    if (gracefulStop.isNegative()) {
      throw new IllegalArgumentException("gracefulStop must not be negative, got " + gracefulStop);
    }
  }

  /** A spec with the node's environment, working directory and the default graceful stop. */
  public static ProcessSpec of(String name, List<String> command) {
    return new ProcessSpec(name, command, Map.of(), null, null);
  }

  public ProcessSpec withEnv(Map<String, String> e) {
    return new ProcessSpec(name, command, e, workDir, gracefulStop);
  }

  public ProcessSpec withGracefulStop(Duration d) {
    return new ProcessSpec(name, command, env, workDir, d);
  }
}
