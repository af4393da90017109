package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.LocalCluster;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe pg} against the real REST API of an in-process cluster: the CLI and the server agree. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PgCommandClusterTest {
  static LocalCluster cluster;
  static String url;

  @TempDir
  Path home;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(2).gpusPerWorker(1).build());
    url = cluster.head().dashboardUrl();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void createGetListRemove() {
    CliHarness cli = new CliHarness(home);
    CliHarness.Result created = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":1,\"GPU\":1},{\"CPU\":1,\"GPU\":1}]",
        "--strategy", "strict_spread", "--name", "tp", "--wait", "30");
    assertThat(created.err()).isEmpty();
    assertThat(created.out()).contains("(tp)").contains("state:     CREATED");

    CliHarness.Result list = cli.run("pg", "list", "--address", url);
    assertThat(list.out().lines()).anySatisfy(l -> assertThat(l).matches("pg-\\S+ +tp +CREATED +STRICT_SPREAD +\\d+ +0:\\S+ 1:\\S+"));
    CliHarness.Result get = cli.run("pg", "get", "tp", "--address", url);
    assertThat(get.out().lines()).anySatisfy(l -> assertThat(l).matches("0 +\\S+ +CPU 1, GPU 1 +\\S+ +-"));

    CliHarness.Result dup = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":0.5}]", "--name", "tp");
    assertThat(dup.code()).isEqualTo(1);
    assertThat(dup.err()).startsWith("troupe: cannot create the placement group: ").contains("'tp'");
    CliHarness.Result zero = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":0}]");
    assertThat(zero.code()).isEqualTo(1);
    assertThat(zero.err()).contains("bundle 0");

    CliHarness.Result rm = cli.run("pg", "remove", "tp", "--address", url);
    assertThat(rm.code()).isZero();
    assertThat(rm.out()).startsWith("Removed placement group pg-");
    assertThat(cli.run("pg", "list", "--address", url).out()).isEqualTo("(no placement groups)\n");
    assertThat(cli.run("pg", "get", "tp", "--address", url).err())
        .isEqualTo("troupe: no placement group with id or name 'tp' (see 'troupe pg list')\n");
  }
}
