package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.testkit.ScriptedRestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe pg ...} against a scripted placement-group REST API on a real socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PgCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String GROUP = """
      {"placement_group_id": "pg-1", "name": "tp", "state": "CREATED", "strategy": "STRICT_SPREAD", "epoch": 2,
       "bundles": [
         {"index": 0, "resources": {"CPU": 1.0, "GPU": 1.0}, "label_selector": {}, "node_id": "node-a", "gpu_ids": ["0"]},
         {"index": 1, "resources": {"CPU": 1.0, "memory": 2147483648.0}, "label_selector": {"zone": "b"}, "node_id": "node-b", "gpu_ids": []}
       ]}""";
  static final String PENDING = """
      {"placement_group_id": "pg-2", "name": null, "state": "PENDING", "strategy": "PACK", "epoch": 0,
       "bundles": [{"index": 0, "resources": {"GPU": 8.0}, "label_selector": {}, "node_id": null, "gpu_ids": []}],
       "reason": "no node has 8 GPU"}""";

  @TempDir
  Path home;
  CliHarness cli;
  ScriptedRestServer server;
  String url;

  /** Answers "METHOD /path?query" with status and body. */
  void answer(String request, int status, String body) {
    server.answer(request, status, body);
  }

  List<String> requests() {
    return server.requestKeys();
  }

  String body(int i) {
    return server.requests().get(i).body();
  }

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliHarness(home);
    server = ScriptedRestServer.start().otherwise(404, "{\"error\": \"no placement group with id x\"}");
    url = server.url();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void createSendsTheRequestAndPrintsTheId() throws Exception {
    answer("POST /api/placement_groups", 200, "{\"placement_group_id\": \"pg-1\"}");

    CliHarness.Result r = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":1,\"GPU\":1},{\"CPU\":1}]",
        "--strategy", "STRICT_SPREAD", "--name", "tp", "--detached", "--gang");

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Created placement group pg-1 (tp)\n");
    JsonNode sent = JSON.readTree(body(0));
    assertThat(sent).isEqualTo(JSON.readTree("""
        {"bundles": [{"CPU": 1, "GPU": 1}, {"CPU": 1}], "strategy": "STRICT_SPREAD", "name": "tp",
         "lifetime": "detached", "gang": true}"""));
  }

  @Test
  void createWithWaitShowsTheGroupOr408sReason() throws Exception {
    answer("POST /api/placement_groups", 200, GROUP);
    CliHarness.Result ok = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":1}]", "--wait", "30");
    assertThat(ok.code()).isZero();
    assertThat(ok.out()).startsWith("Placement group pg-1 (tp)\n").contains("  state:     CREATED\n");
    assertThat(JSON.readTree(body(0)).path("wait_s").asDouble()).isEqualTo(30.0);
    assertThat(JSON.readTree(body(0)).path("strategy").asText()).isEqualTo("PACK");

    answer("POST /api/placement_groups", 408, "{\"error\": \"no node has 8 GPU\", \"placement_group_id\": \"pg-2\"}");
    CliHarness.Result late = cli.run("pg", "create", "--address", url, "--bundles", "[{\"GPU\":8}]", "--wait", "1");
    assertThat(late.code()).isEqualTo(1);
    assertThat(late.err()).isEqualTo("troupe: placement group pg-2 is not ready after 1 s: no node has 8 GPU "
        + "(it stays and keeps trying; 'troupe pg remove pg-2' removes it)\n");
  }

  @Test
  void aRefusalShowsTheServersMessage() {
    answer("POST /api/placement_groups", 400,
        "{\"error\": \"placement group name 'tp' is already used by pg-1\"}");

    CliHarness.Result r = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":1}]", "--name", "tp");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo(
        "troupe: cannot create the placement group: placement group name 'tp' is already used by pg-1\n");
  }

  @Test
  void malformedBundlesAreAUsageErrorAndNothingIsSent() {
    CliHarness.Result r = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":1}");
    CliHarness.Result notList = cli.run("pg", "create", "--address", url, "--bundles", "{\"CPU\":1}");
    CliHarness.Result badWait = cli.run("pg", "create", "--address", url, "--bundles", "[{\"CPU\":1}]", "--wait", "-1");
    CliHarness.Result missing = cli.run("pg", "create", "--address", url);

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("troupe: --bundles: malformed JSON").endsWith("(see 'troupe pg create --help')\n");
    assertThat(notList.code()).isEqualTo(2);
    assertThat(notList.err()).contains("give a JSON list");
    assertThat(badWait.code()).isEqualTo(2);
    assertThat(badWait.err()).contains("--wait must be");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--bundles");
    assertThat(requests()).isEmpty();
  }

  @Test
  void listPrintsOneRowPerGroup() {
    answer("GET /api/placement_groups", 200, "[" + GROUP + "," + PENDING + "]");

    CliHarness.Result r = cli.run("pg", "list", "--address", url);

    assertThat(r.code()).isZero();
    assertThat(r.out().lines().toList()).satisfiesExactly(
        l -> assertThat(l).matches("PLACEMENT_GROUP_ID +NAME +STATE +STRATEGY +EPOCH +BUNDLES +REASON"),
        l -> assertThat(l).matches("pg-1 +tp +CREATED +STRICT_SPREAD +2 +0:node-a 1:node-b"),
        l -> assertThat(l).matches("pg-2 +- +PENDING +PACK +0 +0:- +no node has 8 GPU"));

    answer("GET /api/placement_groups", 200, "[]");
    assertThat(cli.run("pg", "list", "--address", url).out()).isEqualTo("(no placement groups)\n");
    assertThat(cli.run("pg", "list", "--address", url, "--json").out()).isEqualTo("[ ]\n");
  }

  @Test
  void getByIdOrByNameShowsBundles() {
    answer("GET /api/placement_groups/pg-1", 200, GROUP);
    answer("GET /api/placement_groups?name=tp", 200, "[" + GROUP + "]");

    CliHarness.Result byId = cli.run("pg", "get", "pg-1", "--address", url);
    CliHarness.Result byName = cli.run("pg", "get", "tp", "--address", url);

    assertThat(byId.code()).isZero();
    assertThat(byId.out()).isEqualTo(byName.out());
    assertThat(byId.out().lines().toList()).contains("Placement group pg-1 (tp)", "  strategy:  STRICT_SPREAD",
        "  epoch:     2");
    assertThat(byId.out().lines()).anySatisfy(l -> assertThat(l).matches("0 +node-a +CPU 1, GPU 1 +0 +-"));
    assertThat(byId.out().lines()).anySatisfy(l -> assertThat(l).matches("1 +node-b +CPU 1, memory 2 GiB +- +zone=b"));
    assertThat(requests()).contains("GET /api/placement_groups/tp", "GET /api/placement_groups?name=tp");
  }

  @Test
  void getOfAPendingGroupShowsTheReason() {
    answer("GET /api/placement_groups/pg-2", 200, PENDING);

    CliHarness.Result r = cli.run("pg", "get", "pg-2", "--address", url);

    assertThat(r.out()).contains("  reason:    no node has 8 GPU\n");
    assertThat(r.out().lines()).anySatisfy(l -> assertThat(l).matches("0 +- +GPU 8 +- +-"));
  }

  @Test
  void removeResolvesANameAndDeletesById() {
    answer("GET /api/placement_groups?name=tp", 200, "[" + GROUP + "]");
    answer("DELETE /api/placement_groups/pg-1", 200, "{\"placement_group_id\": \"pg-1\", \"removed\": true}");

    CliHarness.Result r = cli.run("pg", "remove", "tp", "--address", url);

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("Removed placement group pg-1 (tp)\n");
    assertThat(requests()).endsWith("DELETE /api/placement_groups/pg-1");
    assertThat(cli.run("pg", "remove", "tp", "--address", url, "--json").out()).contains("\"removed\" : true");
  }

  @Test
  void anUnknownGroupIsOneLine() {
    answer("GET /api/placement_groups?name=zz", 200, "[]");

    CliHarness.Result get = cli.run("pg", "get", "zz", "--address", url);
    CliHarness.Result rm = cli.run("pg", "remove", "zz", "--address", url);

    assertThat(get.code()).isEqualTo(1);
    assertThat(get.err()).isEqualTo("troupe: no placement group with id or name 'zz' (see 'troupe pg list')\n");
    assertThat(rm.err()).isEqualTo(get.err());
    assertThat(requests()).noneMatch(q -> q.startsWith("DELETE"));
  }

  @Test
  void aBareCommandSaysWhatToDo() {
    CliHarness.Result r = cli.run("pg");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("troupe: say what to do: create, list, get or remove (see 'troupe pg --help')\n");
  }
}
