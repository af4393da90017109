package io.troupe.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.ProcessSpec;
import io.troupe.runtime.api.SupervisedProcess;
import io.troupe.runtime.api.TroupeException;
import io.troupe.testkit.Poll;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real OS processes: environment, own process group, output, exit codes, graceful stop, watchdog and reaping. */
@Timeout(120)
class OsProcessLauncherTest {
  @TempDir
  Path dir;

  private OsProcessLauncher launcher() {
    return new OsProcessLauncher(dir, "3", "test node");
  }

  @Test
  void runsInItsOwnGroupWithTheActorsGpusAndCapturesOutput() throws Exception {
    SupervisedProcess p = launcher().start(ProcessSpec.of("env", List.of("sh", "-c",
        "echo gpus=$CUDA_VISIBLE_DEVICES x=$X; echo pgid=$(ps -o pgid= -p $$ | tr -d ' '); echo to-stderr >&2; exit 7"))
        .withEnv(Map.of("X", "y")));
    assertThat(p.onExit().get(20, TimeUnit.SECONDS)).isEqualTo(7);
    List<String> out = p.tail(20);
    assertThat(out).contains("gpus=3 x=y", "to-stderr", "pgid=" + p.pgid());
    assertThat(p.pgid()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(p.tail(1)).containsExactly("to-stderr");
    assertThat(Files.readString(p.logFile())).contains("gpus=3");
  }

  @Test
  void specEnvironmentWinsOverTheActorsGpus() throws Exception {
    SupervisedProcess p = launcher().start(ProcessSpec.of("env2", List.of("sh", "-c", "echo gpus=$CUDA_VISIBLE_DEVICES"))
        .withEnv(Map.of("CUDA_VISIBLE_DEVICES", "1,2")));
    p.onExit().get(20, TimeUnit.SECONDS);
    assertThat(p.tail(5)).containsExactly("gpus=1,2");
  }

  @Test
  void aMissingCommandIsRefusedWithItsName() {
    assertThatThrownBy(() -> launcher().start(ProcessSpec.of("x", List.of("no-such-engine-xyz", "--port", "1"))))
        .isInstanceOf(TroupeException.class).hasMessageContaining("'no-such-engine-xyz' not found on the PATH of test node");
    assertThatThrownBy(() -> launcher().start(ProcessSpec.of("x", List.of("/nonexistent/bin/engine"))))
        .isInstanceOf(TroupeException.class).hasMessageContaining("does not exist");
  }

  @Test
  void stopSendsTermThenKillsWhatIgnoresIt() throws Exception {
    // The command ignores SIGTERM and has a child of its own: both must be gone after the grace period.
    SupervisedProcess p = launcher().start(ProcessSpec.of("stubborn", List.of("sh", "-c",
        "trap '' TERM; sleep 600 & echo started; while true; do sleep 1; done")).withGracefulStop(Duration.ofSeconds(1)));
    await(() -> p.tail(5).contains("started"), "the process to start");
    assertThat(Signals.groupAlive(p.pgid())).isTrue();
    long t0 = System.nanoTime();
    p.close();
    assertThat(Signals.groupAlive(p.pgid())).isFalse();
    assertThat(p.isAlive()).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
  }

  @Test
  void aCommandThatExitsLeavesNoChildBehind() throws Exception {
    SupervisedProcess p = launcher().start(ProcessSpec.of("parent", List.of("sh", "-c", "sleep 600 & exit 3")));
    assertThat(p.onExit().get(20, TimeUnit.SECONDS)).isEqualTo(3);
    await(() -> !Signals.groupAlive(p.pgid()), "the command's child to be stopped");
  }

  @Test
  void sigkillOfTheOwnerJvmStopsItsProcessesWithinSeconds() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process owner = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        ProcessOwnerMain.class.getName(), dir.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
      long pgid = -1;
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("PGID ")) {
          pgid = Long.parseLong(line.substring(5).trim());
          break;
        }
      }
      assertThat(pgid).isPositive();
      long group = pgid;
      await(() -> Signals.groupAlive(group), "the owner's process");
      owner.destroyForcibly(); // SIGKILL: no shutdown hook runs
      owner.waitFor(10, TimeUnit.SECONDS);
      long t0 = System.nanoTime();
      await(() -> !Signals.groupAlive(group), "the orphaned group to stop itself");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(15_000);
    } finally {
      owner.destroyForcibly();
    }
  }

  @Test
  void theReaperKillsGroupsOfDeadOwnersOnly() throws Exception {
    Path pids = dir.resolve("pids");
    Files.createDirectories(pids);
    Process orphan = new ProcessBuilder("setsid", "sh", "-c", "sleep 600", Watchdog.MARKER).start();
    Process kept = new ProcessBuilder("setsid", "sh", "-c", "sleep 600", Watchdog.MARKER).start();
    try {
      await(() -> Signals.groupAlive(orphan.pid()) && Signals.groupAlive(kept.pid()), "both groups");
      long deadOwner = deadPid();
      Files.writeString(pids.resolve("orphan.pid"), orphan.pid() + " " + deadOwner + " 1");
      Files.writeString(pids.resolve("kept.pid"), kept.pid() + " " + ProcessHandle.current().pid() + " "
          + OsProcessLauncher.ownerStart());
      assertThat(ProcessReaper.reap(pids)).isEqualTo(1);
      await(() -> !Signals.groupAlive(orphan.pid()), "the orphan to be reaped");
      assertThat(Signals.groupAlive(kept.pid())).isTrue();
      assertThat(Files.exists(pids.resolve("kept.pid"))).isTrue();
      assertThat(Files.exists(pids.resolve("orphan.pid"))).isFalse();
    } finally {
      Signals.killGroup(orphan.pid(), "KILL");
      Signals.killGroup(kept.pid(), "KILL");
    }
  }

  /** A pid no process has now: a process that has exited. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  private static void await(BooleanSupplier c, String what) {
    Poll.upTo(Duration.ofSeconds(30)).await(what, c);
  }
}
