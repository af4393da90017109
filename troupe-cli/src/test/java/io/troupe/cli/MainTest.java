package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The top-level contract: help everywhere, version, usage errors on one line with exit 2. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MainTest {
  @TempDir
  Path home;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(home);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "start --help", "stop --help", "status --help", "list --help",
      "list actors --help", "demo --help", "help start"})
  void helpEverywhere(String args) {
    CliHarness.Result r = cli.run(args.split(" "));

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: troupe");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void version() {
    CliHarness.Result r = cli.run("--version");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("troupe ");
  }

  @Test
  void noCommandOrUnknownCommand() {
    assertThat(cli.run()).isEqualTo(new CliHarness.Result(2, "",
        "troupe: say what to do: start, stop, up, down, status, list actors, pg, serve or demo (see 'troupe --help')\n"));
    assertThat(cli.run("launch").err()).isEqualTo("troupe: unexpected argument 'launch' (see 'troupe --help')\n");
    assertThat(cli.run("list").err()).isEqualTo("troupe: say what to list: actors (see 'troupe list --help')\n");
    assertThat(cli.run("status", "--jsn").code()).isEqualTo(2);
    assertThat(cli.run("status", "--jsn").err()).startsWith("troupe: unknown option '--jsn'")
        .endsWith("(see 'troupe status --help')\n");
  }

  @Test
  void stackTracesOnlyWithTroupeDebug() {
    assertThat(cli.run("start", "--head", "--num-cpus", "-1").err().lines().count()).isEqualTo(1);

    cli.env.put("TROUPE_DEBUG", "1");

    assertThat(cli.run("start", "--head", "--num-cpus", "-1").err()).contains("\tat picocli.");
  }

  @Test
  void oneLineKeepsTheFirstLineWithoutAPeriod() {
    assertThat(Main.oneLine("Something broke.\n\tat x")).isEqualTo("something broke");
    assertThat(Main.oneLine("HTTP failed")).isEqualTo("HTTP failed");
    assertThat(Main.oneLine(null)).isEqualTo("failed (no details)");
  }
}
