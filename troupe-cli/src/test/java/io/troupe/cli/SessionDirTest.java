package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionDirTest {
  @TempDir
  Path home;

  @Test
  void recordsRoundTripHeadFirst() {
    SessionDir s = new SessionDir(home);
    long me = ProcessHandle.current().pid();
    NodeRecord worker = record(me + 1_000_000, false);
    NodeRecord head = record(me, true);
    s.write(worker);
    s.write(head);

    assertThat(s.records()).containsExactly(head, worker);
    assertThat(s.read(me)).contains(head);
    assertThat(Files.exists(home.resolve("session/nodes/" + me + ".json"))).isTrue();
  }

  @Test
  void staleRecordsAreDroppedFromTheLiveList() throws Exception {
    SessionDir s = new SessionDir(home);
    Process gone = new ProcessBuilder(NodeLauncher.javaBinary(), "-version").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    gone.waitFor(20, TimeUnit.SECONDS);
    s.write(record(gone.pid(), false));
    NodeRecord live = record(ProcessHandle.current().pid(), true);
    s.write(live);

    assertThat(s.liveNodes()).containsExactly(live);
    assertThat(s.records()).containsExactly(live);
    assertThat(s.liveHead()).contains(live);
  }

  @Test
  void aReusedPidIsNotTakenForTheNode() {
    SessionDir s = new SessionDir(home);
    long startedLongAgo = 1_000L;
    s.write(new NodeRecord(ProcessHandle.current().pid(), startedLongAgo, "n", true, "a", null, null, Map.of(), null));

    assertThat(s.liveNodes()).isEmpty();
  }

  @Test
  void unreadableFilesAreSkipped() throws Exception {
    SessionDir s = new SessionDir(home);
    Files.createDirectories(s.nodesDir());
    Files.writeString(s.nodesDir().resolve("123.json"), "{not json");

    assertThat(s.records()).isEmpty();
  }

  @Test
  void stopWithNothingRunningSaysSoAndSucceeds() {
    CliHarness.Result r = new CliHarness(home).run("stop");

    assertThat(r).isEqualTo(new CliHarness.Result(0, "no Troupe nodes running from this machine\n", ""));
  }

  @Test
  void theSessionRootComesFromThePropertyThenTheEnvironment() {
    assertThat(CliContext.sessionRoot("/p", Map.of("TROUPE_HOME", "/e"))).isEqualTo(Path.of("/p"));
    assertThat(CliContext.sessionRoot(null, Map.of("TROUPE_HOME", "/e"))).isEqualTo(Path.of("/e"));
    assertThat(CliContext.sessionRoot(null, Map.of())).isEqualTo(Path.of(System.getProperty("user.home"), ".troupe"));
  }

  private static NodeRecord record(long pid, boolean head) {
    long started = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(i -> i.toEpochMilli()).orElse(0L);
    return new NodeRecord(pid, started, head ? "head-x" : "worker-x", head, "127.0.0.1:6380",
        head ? "http://127.0.0.1:8265" : null, null, Map.of("CPU", 2.0), "/tmp/x.log");
  }
}
