package io.troupe.runtime.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills process groups whose owner (the node JVM that started them) is gone: the second line of defence after the
 * {@link Watchdog} (which normally stops a group within its grace period when its node dies). A pid file says
 * {@code "<pgid> <owner pid> <owner start ms>"}; the owner counts as alive when a process with that pid and start
 * time exists. A group is only killed when its leader is gone or still is a Troupe watchdog (never an unrelated
 * process that reused the pid).
 */
public final class ProcessReaper {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessReaper.class);

  private ProcessReaper() {}

  /** Reaps the groups of dead owners listed in {@code pidDir}; returns how many pid files it cleared. */
  public static int reap(Path pidDir) {
    int n = 0;
    if (!Files.isDirectory(pidDir)) {
      return 0;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(pidDir, "*.pid")) {
      for (Path f : files) {
        if (reapOne(f)) {
          n++;
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", pidDir, e.toString());
    }
    return n;
  }

  private static boolean reapOne(Path f) {
    String[] parts;
    try {
      parts = Files.readString(f).trim().split("\\s+");
    } catch (IOException e) {
      return false;
    }
    if (parts.length < 3) {
      return false;
    }
    long pgid;
    long owner;
    long ownerStart;
    try {
      pgid = Long.parseLong(parts[0]);
      owner = Long.parseLong(parts[1]);
      ownerStart = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      return false;
    }
    if (ownerAlive(owner, ownerStart)) {
      return false;
    }
    Optional<ProcessHandle> leader = ProcessHandle.of(pgid);
    boolean ours = leader.isEmpty() || leader.get().info().commandLine().map(c -> c.contains(Watchdog.MARKER))
        .orElse(false); // a command line we cannot read is not known to be ours
    if (ours && Signals.groupAlive(pgid)) {
      LOG.warn("killing process group {} left behind by dead node process {} ({})", pgid, owner, f.getFileName());
      Signals.killGroup(pgid, "KILL");
    }
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      return false;
    }
    return true;
  }

  static boolean ownerAlive(long pid, long startMs) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    long start = h.get().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    return startMs == 0 || start == 0 || Math.abs(start - startMs) < 2000;
  }
}
