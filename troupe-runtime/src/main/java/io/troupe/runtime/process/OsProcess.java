package io.troupe.runtime.process;

import io.troupe.runtime.api.ProcessSpec;
import io.troupe.runtime.api.SupervisedProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One process started by {@link OsProcessLauncher}. Its group id is the wrapper's pid ({@code setsid} makes the
 * wrapper a session and group leader without forking, as the JVM's child is no group leader). Stopping closes the
 * wrapper's stdin (its watchdog then sends SIGTERM to the group, and SIGKILL after the grace period) and sends
 * SIGKILL to the group itself once the grace period has passed. Thread-safe.
 */
final class OsProcess implements SupervisedProcess {
  private static final int TAIL_BYTES = 64 * 1024;

  private final ProcessSpec spec;
  private final Process process;
  private final Path log;
  private final Path pidFile;
  private final CompletableFuture<Integer> exit;

  OsProcess(ProcessSpec spec, Process process, Path log, Path pidFile) {
    this.spec = spec;
    this.process = process;
    this.log = log;
    this.pidFile = pidFile;
    this.exit = process.onExit().thenApply(p -> {
      int code = p.exitValue();
      // The command exited: the wrapper sent SIGTERM to the rest of the group; make sure nothing is left.
      Signals.killGroup(pgid(), "KILL");
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException e) {
        // a leftover pid file only costs the reaper a look
      }
      return code;
    });
  }

  @Override
  public ProcessSpec spec() {
    return spec;
  }

  @Override
  public long pgid() {
    return process.pid();
  }

  @Override
  public CompletableFuture<Integer> onExit() {
    return exit;
  }

  @Override
  public Path logFile() {
    return log;
  }

  @Override
  public List<String> tail(int lines) {
    return tail(log, lines);
  }

  static List<String> tail(Path file, int lines) {
    if (lines <= 0) {
      return List.of();
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - TAIL_BYTES);
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      String text = new String(buf, StandardCharsets.UTF_8);
      String[] all = text.split("\r?\n", -1);
      int end = all.length;
      if (end > 0 && all[end - 1].isEmpty()) {
        end--; // the text ends with a newline
      }
      int start = from > 0 ? 1 : 0; // the first line may be cut
      Deque<String> out = new ArrayDeque<>();
      for (int i = end - 1; i >= start && out.size() < lines; i--) {
        out.addFirst(all[i]);
      }
      return new ArrayList<>(out);
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public void stop(Duration grace) {
    if (!exit.isDone()) {
      try {
        process.getOutputStream().close(); // the watchdog reads EOF: SIGTERM to the group
      } catch (IOException e) {
        // already closed
      }
      Signals.killGroup(pgid(), "TERM");
      try {
        process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Signals.killGroup(pgid(), "KILL");
    process.destroyForcibly();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (Signals.groupAlive(pgid()) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
    }
    try {
      exit.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // reported through onExit
    }
  }

  @Override
  public String toString() {
    return "process '" + spec.name() + "' (pgid " + pgid() + (exit.isDone() ? ", exited " + exitCode() : "") + ")";
  }
}
