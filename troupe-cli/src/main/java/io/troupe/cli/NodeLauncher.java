package io.troupe.cli;

import io.troupe.runtime.api.NodeConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts a node as a background JVM: {@code java <opts> -cp <cp> io.troupe.cli.Main start --block
 * <same args>}, output to a log file in the session directory, and waits until the child writes its
 * ready file, exits, or the ready timeout passes. A child that is not ready in time is killed, so
 * a failed {@code troupe start} never leaves a half-started node behind.
 *
 * <p>The child uses the same {@code java} binary and classpath as this JVM, plus {@code --classpath}
 * entries; its JVM options come from {@code $TROUPE_NODE_JVM_OPTS} (default {@code -Xmx1g}). On
 * Linux it is started through {@code setsid} so that closing the terminal does not stop it.
 */
final class NodeLauncher {
  /** System property telling a node JVM where its log goes (for its ready file). */
  static final String LOG_PROPERTY = "troupe.node.log";
  static final String DEFAULT_JVM_OPTS = "-Xmx1g";

  private final CliContext ctx;

  NodeLauncher(CliContext ctx) {
    this.ctx = ctx;
  }

  NodeRecord launch(NodeConfig config, List<String> startArgs, List<Path> extraClasspath) {
    Path log = ctx.session().newLogFile(config.head() ? "head" : "worker");
    List<String> cmd = command(startArgs, extraClasspath, log);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())));
    pb.environment().put("TROUPE_HOME", ctx.session().root().toString());
    if (config.dashboardToken() != null) {
      pb.environment().put("TROUPE_DASHBOARD_TOKEN", config.dashboardToken());
    }
    Process child;
    try {
      child = pb.start();
    } catch (IOException e) {
      throw new CliException("cannot start a node JVM (" + cmd.get(0) + "): " + e.getMessage());
    }
    // If we are interrupted (Ctrl-C) before the node is ready, do not leave it behind.
    Thread killer = new Thread(child::destroyForcibly, "troupe-abandon-child");
    Runtime.getRuntime().addShutdownHook(killer);
    try {
      NodeRecord rec = awaitReady(child, log);
      Runtime.getRuntime().removeShutdownHook(killer);
      return rec;
    } catch (RuntimeException e) {
      child.destroyForcibly();
      ctx.session().remove(child.pid());
      Runtime.getRuntime().removeShutdownHook(killer);
      throw e;
    }
  }

  private NodeRecord awaitReady(Process child, Path log) {
    Instant deadline = Instant.now().plus(ctx.readyTimeout());
    while (true) {
      Optional<NodeRecord> rec = ctx.session().read(child.pid());
      if (rec.isPresent()) {
        return rec.get();
      }
      if (!child.isAlive()) {
        throw new CliException(childFailure(log, child.exitValue()));
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CliException("the node did not become ready within " + ctx.readyTimeout().toSeconds()
            + " s and was stopped; see its log " + log);
      }
      try {
        child.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while the node was starting; it was stopped");
      }
    }
  }

  /** The child's own {@code troupe: ...} line, else a pointer to its log. */
  static String childFailure(Path log, int exitCode) {
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      lines = List.of();
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i).strip();
      if (l.startsWith("troupe: ") && l.length() > "troupe: ".length()) {
        return l.substring("troupe: ".length());
      }
    }
    return "the node exited with code " + exitCode + " before it was ready; see its log " + log;
  }

  List<String> command(List<String> startArgs, List<Path> extraClasspath, Path log) {
    List<String> cmd = new ArrayList<>();
    String setsid = setsid();
    if (setsid != null) {
      cmd.add(setsid);
    }
    cmd.add(javaBinary());
    String opts = ctx.env().getOrDefault("TROUPE_NODE_JVM_OPTS", DEFAULT_JVM_OPTS);
    Arrays.stream(opts.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(cmd::add);
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("-D" + CliContext.HOME_PROPERTY + "=" + ctx.session().root());
    cmd.add("-D" + LOG_PROPERTY + "=" + log);
    cmd.add("-cp");
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    for (Path p : extraClasspath) {
      cp.append(File.pathSeparator).append(p);
    }
    cmd.add(cp.toString());
    cmd.add(Main.class.getName());
    cmd.add("start");
    cmd.add("--block");
    for (String a : startArgs) {
      if (!a.equals("--block")) {
        cmd.add(a);
      }
    }
    return cmd;
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .filter(c -> c.endsWith("java") || c.endsWith("java.exe"))
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static String setsid() {
    for (String p : List.of("/usr/bin/setsid", "/bin/setsid")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  private static String nullDevice() {
    return File.separatorChar == '\\' ? "NUL" : "/dev/null";
  }
}
