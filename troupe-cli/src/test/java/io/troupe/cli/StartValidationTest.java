package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeException;
import io.troupe.testkit.FreePorts;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Every bad {@code troupe start} input: exit code, one line on stderr, no stack trace, nothing started. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StartValidationTest {
  @TempDir
  Path home;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(home);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      --foo                                         | unknown option '--foo' (see 'troupe start --help')
      --head --num-cpus -1                          | --num-cpus must be a number >= 0
      --head --num-cpus NaN                         | --num-cpus must be a number >= 0
      --head --num-gpus -2                          | --num-gpus must be a whole number >= 0
      --head --num-gpus 1.5                         | '1.5' is not an int
      --head --memory 4X                            | --memory: '4X' is not a size
      --head --memory -5                            | --memory: '-5' is not a size
      --head --resources {"disk":-1}                | resource 'disk' has negative quantity
      --head --resources {"disk":NaN}               | malformed JSON
      --head --resources {"disk":                   | malformed JSON
      --head --resources {"9disk":1}                | invalid resource name '9disk'
      --head --resources {"disk":"1"}               | resource 'disk' has quantity "1"
      --head --resources [1,2]                      | give a JSON object
      --head --resources {"GPU":1}                  | set GPU with --num-gpus
      --head --labels zone                          | --labels: 'zone' is not key=value
      --head --labels a=1,a=2                       | label 'a' is given twice
      --head --port 70000                           | --port must be a port number 0-65535
      --head --dashboard-port -1                    | --dashboard-port must be a port number
      --head --serve-proxy-port 70000               | --serve-proxy-port must be a port number 0-65535
      --head --failure-detection soon               | --failure-detection: 'soon' is not a duration
      --head --gpu-ids 0,0                          | --gpu-ids must list distinct
      --head --num-gpus 4 --gpu-ids 0,1             | --gpu-ids lists 2 ids but --num-gpus is 4
      --head --classpath /no/such/dir.jar           | --classpath entry '/no/such/dir.jar' does not exist
      --head --address 127.0.0.1:6380               | --head and --address exclude each other
      --num-cpus 2                                  | say what to start
      --address nowhere                             | --address: 'nowhere' is not HOST:PORT
      --address 10.0.0.1:6380 --dashboard-port 1    | --dashboard-port only applies to a head node
      """)
  void badInputIsAUsageErrorOnOneLine(String args, String expected) {
    CliHarness.Result r = cli.run(("start " + args.trim()).split("\\s+"));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).startsWith("troupe: ").contains(expected).endsWith("(see 'troupe start --help')\n")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(cli.session().records()).isEmpty();
  }

  @Test
  void goodInputBecomesTheNodeConfig() {
    NodeConfig c = parse("--head", "--port", "7000", "--num-cpus", "2.5", "--num-gpus", "2", "--memory", "4G",
        "--resources", "{\"disk_gb\": 200, \"accelerator_type:H100\": 1}", "--labels", "zone=a,tier=gpu",
        "--failure-detection", "3s", "--dashboard-port", "0");

    assertThat(c.head()).isTrue();
    assertThat(c.port()).isEqualTo(7000);
    assertThat(c.numCpus()).isEqualTo(2.5);
    assertThat(c.numGpus()).isEqualTo(2);
    assertThat(c.memoryBytes()).isEqualTo(4L << 30);
    assertThat(c.resources()).containsExactlyInAnyOrderEntriesOf(Map.of("disk_gb", 200.0, "accelerator_type:H100", 1.0));
    assertThat(c.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("zone", "a", "tier", "gpu"));
    assertThat(c.failureDetection()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.dashboardPort()).isZero();
    assertThat(c.dashboardToken()).isNull();
  }

  @Test
  void detectionIsLeftToTheRuntimeWhenNotGiven() {
    NodeConfig c = parse("--address", "10.0.0.5:6380");

    assertThat(c.head()).isFalse();
    assertThat(c.headAddress()).isEqualTo("10.0.0.5:6380");
    assertThat(c.port()).isZero();
    assertThat(c.numCpus()).isNull();
    assertThat(c.numGpus()).isNull();
    assertThat(c.memoryBytes()).isNull();
    assertThat(c.gpuIds()).isNull();
  }

  @Test
  void gpuIdsImplyTheGpuCount() {
    NodeConfig c = parse("--head", "--gpu-ids", "2,3");

    assertThat(c.numGpus()).isEqualTo(2);
    assertThat(c.gpuIds()).containsExactly("2", "3");
  }

  @Test
  void aDashboardBeyondLoopbackGetsAGeneratedTokenUnlessOneIsGiven() {
    assertThat(parse("--head", "--dashboard-host", "0.0.0.0").dashboardToken()).hasSizeGreaterThan(20);
    assertThat(parse("--head", "--dashboard-host", "0.0.0.0", "--dashboard-token", "s3cret").dashboardToken())
        .isEqualTo("s3cret");
    cli.env.put("TROUPE_DASHBOARD_TOKEN", "from-env");
    assertThat(parse("--head", "--dashboard-host", "0.0.0.0").dashboardToken()).isEqualTo("from-env");
    assertThat(parse("--head").dashboardToken()).isEqualTo("from-env");
  }

  @Test
  void aPortInUseFailsBeforeAnythingStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      CliHarness.Result r = cli.run("start", "--head", "--port", String.valueOf(taken.getLocalPort()),
          "--dashboard-port", "0");

      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("troupe: port " + taken.getLocalPort()
          + " is in use (another head running? 'troupe stop' stops it, or pass --port)\n");
      assertThat(cli.session().records()).isEmpty();
    }
  }

  @Test
  void aWorkerWithoutAHeadFailsBeforeAnythingStarts() {
    int nobody = FreePorts.pick();

    CliHarness.Result r = cli.run("start", "--address", "127.0.0.1:" + nobody);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: no Troupe head answers at 127.0.0.1:" + nobody
        + "; start one with 'troupe start --head' or check --address\n");
  }

  @Test
  void blockReportsTheRuntimesOneLineReason() {
    cli.nodeStarter = c -> {
      throw new TroupeException("cannot join the cluster at 127.0.0.1:1: nobody answers");
    };

    CliHarness.Result r = cli.run("start", "--head", "--block", "--port", "0", "--dashboard-port", "0");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: cannot join the cluster at 127.0.0.1:1: nobody answers\n");
  }

  @Test
  void aNodeStartedByTheCliServesWithTheGivenProxyPort() {
    List<NodeConfig> started = new java.util.ArrayList<>();
    cli.nodeStarter = c -> {
      started.add(c);
      throw new TroupeException("stop here");
    };

    cli.run("start", "--head", "--block", "--port", "0", "--dashboard-port", "0", "--serve-proxy-port", "0");
    cli.run("start", "--head", "--block", "--port", "0", "--dashboard-port", "0");

    assertThat(started).hasSize(2);
    assertThat(started.get(0).extensions()).hasSize(2).first()
        .isInstanceOfSatisfying(io.troupe.serve.api.ServeExtension.class,
            e -> assertThat(e.proxyPort()).hasValue(0));
    assertThat(started.get(1).extensions()).hasSize(2).first()
        .isInstanceOfSatisfying(io.troupe.serve.api.ServeExtension.class,
            e -> assertThat(e.proxyPort()).isEmpty());
    // a head also serves the web dashboard
    assertThat(started.get(1).extensions().get(1)).isInstanceOf(io.troupe.dashboard.DashboardExtension.class);
  }

  @Test
  void blockWritesTheReadyFileWhileTheNodeRunsAndRemovesItAfter() {
    CompletableFuture<Void> terminated = new CompletableFuture<>();
    List<List<NodeRecord>> seen = new java.util.ArrayList<>();
    // When the ready line is printed, look at the session dir, then let the node stop.
    java.io.StringWriter out = new java.io.StringWriter() {
      @Override
      public void flush() {
        if (toString().contains("ready at") && !terminated.isDone()) {
          seen.add(cli.session().records());
          terminated.complete(null);
        }
      }
    };
    CliContext ctx = cli.context(new java.io.PrintWriter(out), new java.io.PrintWriter(java.io.Writer.nullWriter()))
        .withNodeStarter(c -> CliHarness.fakeNode(c, terminated));

    int code = Main.execute(new String[] {"start", "--head", "--block", "--port", "0", "--dashboard-port", "0",
        "--num-cpus", "3"}, ctx);

    assertThat(code).isZero();
    assertThat(out.toString()).contains("troupe: head node head-fake ready at 127.0.0.1:0");
    assertThat(seen).singleElement().satisfies(records -> assertThat(records).singleElement().satisfies(rec -> {
      assertThat(rec.pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(rec.head()).isTrue();
      assertThat(rec.nodeId()).isEqualTo("head-fake");
      assertThat(rec.resources()).containsEntry("CPU", 3.0);
    }));
    assertThat(cli.session().records()).isEmpty();
  }

  private NodeConfig parse(String... args) {
    StartCommand start = new StartCommand(cli.context(new java.io.PrintWriter(java.io.Writer.nullWriter()),
        new java.io.PrintWriter(java.io.Writer.nullWriter())));
    new CommandLine(start).parseArgs(args);
    return start.toConfig();
  }
}
