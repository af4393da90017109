package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NodeLauncherTest {
  @TempDir
  Path home;

  @Test
  void aFailedChildIsReportedByItsLastTroupeLine() throws Exception {
    Path log = home.resolve("n.log");
    Files.writeString(log, """
        WARNING: Using incubator modules: jdk.incubator.vector
        troupe: an earlier line
        12:00:01 ERROR something noisy
        troupe: joined the cluster but the control service did not answer within 20 s
        """);

    assertThat(NodeLauncher.childFailure(log, 1))
        .isEqualTo("joined the cluster but the control service did not answer within 20 s");
  }

  @Test
  void aChildWithoutAReasonPointsAtItsLog() {
    Path log = home.resolve("missing.log");

    assertThat(NodeLauncher.childFailure(log, 137))
        .isEqualTo("the node exited with code 137 before it was ready; see its log " + log);
  }

  @Test
  void theChildRunsStartBlockWithTheSameArgsAndTheSessionDir() {
    CliContext ctx = new CliHarness(home).context(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()));
    ctx = new CliContext(ctx.out(), ctx.err(), Map.of("TROUPE_NODE_JVM_OPTS", "-Xmx64m -Dx=y"), ctx.session(),
        ctx.nodeStarter(), ctx.readyTimeout());

    List<String> cmd = new NodeLauncher(ctx).command(List.of("--head", "--num-cpus", "2"), List.of(home), home.resolve("l.log"));

    assertThat(cmd).containsSubsequence("-Xmx64m", "-Dx=y", "--add-modules", "jdk.incubator.vector");
    assertThat(cmd).contains("-Dtroupe.home=" + home, "-Dtroupe.node.log=" + home.resolve("l.log"));
    assertThat(cmd.get(cmd.indexOf("-cp") + 1)).endsWith(java.io.File.pathSeparator + home);
    assertThat(cmd.subList(cmd.indexOf("io.troupe.cli.Main"), cmd.size()))
        .containsExactly("io.troupe.cli.Main", "start", "--block", "--head", "--num-cpus", "2");
  }
}
