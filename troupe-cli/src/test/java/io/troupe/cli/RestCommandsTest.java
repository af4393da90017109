package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.testkit.FreePorts;
import io.troupe.testkit.ScriptedRestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} and {@code list actors} against a scripted REST API on a real socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RestCommandsTest {
  @TempDir
  Path home;
  CliHarness cli;
  ScriptedRestServer server;
  String url;
  final Map<String, String> bodies = Map.of(
      "/api/cluster/status", StatusViewTest.STATUS,
      "/api/actors", "[{\"actor_id\": \"a1\", \"class_name\": \"C\", \"name\": \"n\", \"state\": \"ALIVE\", \"node_id\": \"w\", \"num_restarts\": 0}]",
      "/api/actors/a1", "{\"actor_id\": \"a1\", \"class_name\": \"C\", \"state\": \"ALIVE\"}");

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliHarness(home);
    server = ScriptedRestServer.start();
    bodies.forEach((path, body) -> server.answer("GET " + path, 200, body));
    url = server.url();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void statusPrintsTheTable() {
    CliHarness.Result r = cli.run("status", "--address", url);

    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("Cluster: 2 nodes alive, 1 dead").contains("worker-1");
  }

  @Test
  void statusJsonPrintsTheRawAnswer() {
    CliHarness.Result r = cli.run("status", "--address", url, "--json");

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\"node_id\" : \"head-1\"").contains("\"pending_demands\"");
  }

  @Test
  void theUrlAndTokenComeFromTheLocalHeadsReadyFile() {
    server.requireBearer("t0k3n");
    cli.session().write(new NodeRecord(ProcessHandle.current().pid(), 0, "head-1", true, "127.0.0.1:6380",
        url, "t0k3n", Map.of(), null));

    CliHarness.Result r = cli.run("status");

    assertThat(r.code()).isZero();
    // every request (the cluster status, then the placement groups) carries the local head's token
    assertThat(server.requests()).extracting(q -> String.valueOf(q.authorization())).isNotEmpty().containsOnly("Bearer t0k3n");
  }

  @Test
  void aRefusedTokenSaysHowToPassOne() {
    server.requireBearer("right");

    CliHarness.Result r = cli.run("status", "--address", url, "--token", "wrong");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: the REST API at " + url
        + " refused the request (HTTP 401); pass the head's token with --token or TROUPE_DASHBOARD_TOKEN\n");
  }

  @Test
  void noApiAtTheAddressIsOneLine() {
    String nowhere = "http://127.0.0.1:" + FreePorts.pick();

    CliHarness.Result r = cli.run("status", "--address", nowhere);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: no Troupe REST API at " + nowhere
        + " (is a head running? 'troupe start --head')\n");
  }

  @Test
  void anErrorAnswerShowsTheApisOwnMessage() {
    assertThat(RestClient.errorOf("{\"error\": \"control service did not answer in time\"}"))
        .isEqualTo("control service did not answer in time");
    assertThat(RestClient.errorOf("<html>\nbad gateway")).isEqualTo("<html>");
    assertThat(RestClient.errorOf("")).isEmpty();
  }

  @Test
  void listActorsAndOneActor() {
    CliHarness.Result all = cli.run("list", "actors", "--address", url);
    CliHarness.Result one = cli.run("list", "actors", "a1", "--address", url.replace("http://", ""));
    CliHarness.Result missing = cli.run("list", "actors", "zz", "--address", url);

    assertThat(all.code()).isZero();
    assertThat(all.out()).startsWith("ACTOR_ID");
    assertThat(all.out().lines()).anySatisfy(l -> assertThat(l).matches("a1 +C +n +ALIVE +w +0"));
    assertThat(one.out()).contains("actor_id: a1\n").contains("state: ALIVE\n");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("troupe: no actor 'zz' (see 'troupe list actors')\n");
  }
}
