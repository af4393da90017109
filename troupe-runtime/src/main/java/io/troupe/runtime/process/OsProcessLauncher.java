package io.troupe.runtime.process;

import io.troupe.runtime.api.ProcessLauncher;
import io.troupe.runtime.api.ProcessSpec;
import io.troupe.runtime.api.SupervisedProcess;
import io.troupe.runtime.api.TroupeException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs {@link ProcessSpec}s as OS processes on this machine (Linux/Unix: needs {@code sh}, {@code setsid} and
 * {@code kill}): each under the {@link Watchdog} wrapper, in a process group of its own, output appended to
 * {@code <dir>/logs/<name>-<time>.log}, its pid file in {@code <dir>/pids/} while it runs. Creating a launcher
 * reaps what earlier, dead node processes left behind ({@link ProcessReaper}). Thread-safe.
 */
public final class OsProcessLauncher implements ProcessLauncher {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final AtomicLong SEQ = new AtomicLong();

  private final Path dir;
  private final String cudaVisibleDevices;
  private final String where;

  /**
   * @param dir                the launcher's directory ({@link #defaultDir()} for nodes)
   * @param cudaVisibleDevices the default {@code CUDA_VISIBLE_DEVICES} (the launching actor's GPU ids, "" for none)
   * @param where              the node, for error messages
   */
  public OsProcessLauncher(Path dir, String cudaVisibleDevices, String where) {
    this.dir = dir;
    this.cudaVisibleDevices = cudaVisibleDevices;
    this.where = where;
    try {
      Files.createDirectories(dir.resolve("logs"));
      Files.createDirectories(dir.resolve("pids"));
    } catch (IOException e) {
      throw new TroupeException("cannot create the process directory " + dir + ": " + e.getMessage());
    }
    ProcessReaper.reap(dir.resolve("pids"));
  }

  /**
   * {@code <troupe home>/processes}: the home is {@code -Dtroupe.home}, else {@code $TROUPE_HOME}, else
   * {@code <tmp>/troupe-<user>}. Shared by every node on the machine, so a restarted node finds its predecessor's
   * pid files.
   */
  public static Path defaultDir() {
    String home = System.getProperty("troupe.home");
    if (home == null || home.isBlank()) {
      home = System.getenv("TROUPE_HOME");
    }
    Path root = home == null || home.isBlank()
        ? Path.of(System.getProperty("java.io.tmpdir"), "troupe-" + System.getProperty("user.name", "user"))
        : Path.of(home);
    return root.resolve("processes");
  }

  @Override
  public SupervisedProcess start(ProcessSpec spec) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(spec.env());
    env.putIfAbsent("CUDA_VISIBLE_DEVICES", cudaVisibleDevices);
    String exe = resolve(spec.command().get(0), env.get("PATH"));
    String stamp = TIME.format(Instant.now()) + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    Path log = dir.resolve("logs").resolve(spec.name() + "-" + stamp + ".log");
    Path pidFile = dir.resolve("pids").resolve(spec.name() + "-" + stamp + ".pid");
    List<String> argv = new ArrayList<>(List.of("setsid", "sh", "-c", Watchdog.SCRIPT, Watchdog.MARKER,
        pidFile.toString(), Long.toString(Math.max(1, (spec.gracefulStop().toMillis() + 999) / 1000))));
    argv.add(exe);
    argv.addAll(spec.command().subList(1, spec.command().size()));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (spec.workDir() != null) {
      pb.directory(spec.workDir().toFile());
    }
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("TROUPE_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
    pb.environment().put("TROUPE_OWNER_START", Long.toString(ownerStart()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new TroupeException("cannot start process '" + spec.name() + "' (" + exe + ") on " + where + ": "
          + e.getMessage());
    }
    return new OsProcess(spec, p, log, pidFile);
  }

  /** The owner JVM's start time in ms (with its pid it identifies the JVM even after pid reuse). */
  static long ownerStart() {
    return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  /** {@code cmd} as an executable path: as given when it has a '/', else the first match on {@code path}. */
  private String resolve(String cmd, String path) {
    if (cmd.contains("/")) {
      File f = new File(cmd);
      if (!f.isFile() || !f.canExecute()) {
        throw new TroupeException("command '" + cmd + "' " + (f.exists() ? "is not an executable file" : "does not exist")
            + " on " + where + "; give the full path of an executable that is installed on every node that runs it");
      }
      return cmd;
    }
    for (String d : (path == null ? "" : path).split(File.pathSeparator)) {
      if (d.isEmpty()) {
        continue;
      }
      File f = new File(d, cmd);
      if (f.isFile() && f.canExecute()) {
        return f.getPath();
      }
    }
    throw new TroupeException("command '" + cmd + "' not found on the PATH of " + where + " (PATH=" + path
        + "); install it on every node that runs it, or give its full path");
  }
}
