package io.troupe.runtime.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * A running OS process started by a {@link ProcessLauncher}: the leader of its own process group (its children are
 * in the group too and are stopped with it), its stdout and stderr in one log file, and a watchdog that stops the
 * group when the node that started it dies. Thread-safe.
 */
public interface SupervisedProcess extends AutoCloseable {

  /** The spec it was started with. */
  ProcessSpec spec();

  /** Its process-group id (the pid of its group leader). */
  long pgid();

  /** Completes with the exit code when the process has exited (128 + n when a signal n ended it). */
  CompletableFuture<Integer> onExit();

  /** The exit code once it has exited. */
  default OptionalInt exitCode() {
    CompletableFuture<Integer> f = onExit();
    return f.isDone() && !f.isCompletedExceptionally() ? OptionalInt.of(f.join()) : OptionalInt.empty();
  }

  default boolean isAlive() {
    return !onExit().isDone();
  }

  /** The file its stdout and stderr go to. */
  Path logFile();

  /** The last {@code lines} lines of its output (fewer when it wrote fewer). */
  List<String> tail(int lines);

  /**
   * Stops the whole process group: SIGTERM, then SIGKILL to whatever is left after {@code grace}. Returns when no
   * process of the group is left (or after {@code grace} + a few seconds). Idempotent.
   */
  void stop(Duration grace);

  /** {@link #stop} with the spec's {@link ProcessSpec#gracefulStop()}. */
  @Override
  default void close() {
    stop(spec().gracefulStop());
  }
}
