package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.testkit.ScriptedRestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe serve ...} against a scripted serve REST API on a real socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServeCommandTest {
  static final String CONFIG = """
      proxy_location: HeadOnly
      http_options: {host: 127.0.0.1, port: 8000}
      applications:
        - name: hello
          route_prefix: /hello
          import_path: io.troupe.examples.hello.Hello
        - name: batch
          import_path: io.troupe.examples.hello.Hello
      """;
  static final String STATUS = """
      {"proxy_location": "HeadOnly", "http_options": {"host": "127.0.0.1", "port": 8000},
       "applications": {
         "hello": {"name": "hello", "route_prefix": "/hello", "status": "RUNNING", "message": "",
           "ingress_deployment": "Hello", "deployments": {"Hello": {"name": "Hello", "status": "UPSCALING",
             "message": "", "target_num_replicas": 3, "replicas": [
               {"replica_id": "hello#Hello#r1", "state": "RUNNING", "node_id": "node-a", "placement_group_id": null},
               {"replica_id": "hello#Hello#r2", "state": "RUNNING", "node_id": "node-b", "placement_group_id": "pg-9"},
               {"replica_id": "hello#Hello#r3", "state": "STARTING", "node_id": null, "placement_group_id": null}]}}},
         "batch": {"name": "batch", "route_prefix": null, "status": "RUNNING", "message": "",
           "ingress_deployment": "Hello", "deployments": {"Hello": {"name": "Hello", "status": "HEALTHY",
             "message": "", "target_num_replicas": 1, "replicas": [
               {"replica_id": "batch#Hello#r4", "state": "RUNNING", "node_id": "node-a", "placement_group_id": null}]}}}}}""";
  static final String EMPTY = "{\"proxy_location\": null, \"http_options\": null, \"applications\": {}}";

  @TempDir
  Path home;
  CliHarness cli;
  ScriptedRestServer server;
  String url;
  Path config;

  void answer(String request, int status, String body) {
    server.answer(request, status, body);
  }

  List<String> requests() {
    return server.requestKeys();
  }

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliHarness(home);
    server = ScriptedRestServer.start();
    url = server.url();
    config = Files.writeString(home.resolve("serve.yaml"), CONFIG);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void deployPutsTheFileAndSaysWhereToCurl() {
    answer("PUT /api/serve/applications/", 200, "{}");

    CliHarness.Result r = cli.run("serve", "deploy", config.toString(), "--address", url);

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(requests()).containsExactly("PUT /api/serve/applications/");
    assertThat(server.requests().get(0).body()).isEqualTo(CONFIG);
    assertThat(r.out()).startsWith("Deployed " + config + " to " + url + ":\n");
    assertThat(r.out().lines()).anySatisfy(l -> assertThat(l)
        .matches("hello +io\\.troupe\\.examples\\.hello\\.Hello +curl http://127\\.0\\.0\\.1:8000/hello"));
    assertThat(r.out().lines()).anySatisfy(l -> assertThat(l).matches("batch +\\S+ +curl http://127\\.0\\.0\\.1:8000/")); // route_prefix defaults to /
    assertThat(r.out()).endsWith("Watch it come up: troupe serve status\n");
  }

  @Test
  void deployPrintsTheHeadsRefusalInOneLine() {
    answer("PUT /api/serve/applications/", 400, "{\"error\": \"application hello: cannot load class io.x.Nope\"}");

    CliHarness.Result r = cli.run("serve", "deploy", config.toString(), "--address", url);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: cannot deploy: application hello: cannot load class io.x.Nope\n");
  }

  @Test
  void aMissingOrInvalidFileIsReportedBeforeAnyRequest() throws IOException {
    CliHarness.Result missing = cli.run("serve", "deploy", home.resolve("nope.yaml").toString(), "--address", url);
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).isEqualTo("troupe: no such file: " + home.resolve("nope.yaml") + "\n");

    Path bad = Files.writeString(home.resolve("bad.yaml"), "applications:\n  - name: x\n    import_pth: A\n");
    CliHarness.Result invalid = cli.run("serve", "deploy", bad.toString(), "--address", url);
    assertThat(invalid.code()).isEqualTo(1);
    assertThat(invalid.err()).startsWith("troupe: " + bad + ": invalid serve config: ").contains("import_pth");
    assertThat(requests()).isEmpty();
  }

  @Test
  void deployWaitStopsAtAFailedApplication() {
    answer("PUT /api/serve/applications/", 200, "{}");
    answer("GET /api/serve/applications/", 200, STATUS.replaceFirst("\"RUNNING\", \"message\": \"\"",
        "\"DEPLOY_FAILED\", \"message\": \"constructor threw: no GPU\""));

    CliHarness.Result r = cli.run("serve", "deploy", config.toString(), "--address", url, "--wait", "10");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: application hello failed to deploy: constructor threw: no GPU"
        + " (see 'troupe serve status')\n");
  }

  @Test
  void statusShowsAppsDeploymentsAndReplicas() {
    answer("GET /api/serve/applications/", 200, STATUS);

    CliHarness.Result r = cli.run("serve", "status", "--address", url);

    assertThat(r.err()).isEmpty();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("Serve: proxy HeadOnly, HTTP on 127.0.0.1:8000");
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("hello +RUNNING +/hello +Hello +http://127\\.0\\.0\\.1:8000/hello +-"));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("batch +RUNNING +- +Hello +- +-"));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("hello/Hello +UPSCALING +3 +RUNNING 2, STARTING 1 +-"));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("hello#Hello#r2 +hello/Hello +RUNNING +node-b +pg-9"));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("hello#Hello#r3 +hello/Hello +STARTING +- +-"));

    CliHarness.Result json = cli.run("serve", "status", "--address", url, "--json");
    assertThat(json.out()).contains("\"replica_id\" : \"hello#Hello#r1\"");

    answer("GET /api/serve/applications/", 200, EMPTY);
    assertThat(cli.run("serve", "status", "--address", url).out()).isEqualTo(
        "Serve: proxy -, no HTTP proxy running\n\n(no serve applications; deploy one: troupe serve deploy examples/hello/serve.yaml)\n");
  }

  @Test
  void aHeadWithoutServingIsSaidSo() {
    CliHarness.Result r = cli.run("serve", "status", "--address", url);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: the head at " + url + " does not serve /api/serve/applications/"
        + " (serving is not enabled on it)\n");
  }

  @Test
  void configSaysWhatTheApiReports() {
    answer("GET /api/serve/applications/", 200, STATUS);

    CliHarness.Result r = cli.run("serve", "config", "--address", url);

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("The head's REST API does not return the applied config file")
        .contains("  proxy_location: HeadOnly\n")
        .contains("  http_options:   host 127.0.0.1, port 8000\n")
        .contains("  application hello: route_prefix /hello, ingress Hello, deployments Hello (3 replicas)\n");

    answer("GET /api/serve/applications/", 200, STATUS.replace("\"ingress_deployment\": \"Hello\", \"deployments\"",
        "\"deployed_app_config\": {\"name\": \"x\", \"import_path\": \"a.B\"}, \"ingress_deployment\": \"Hello\", \"deployments\""));
    assertThat(cli.run("serve", "config", "--address", url).out()).contains("\"import_path\" : \"a.B\"");
  }

  @Test
  void shutdownDeletesEverything() {
    answer("GET /api/serve/applications/", 200, STATUS);
    answer("DELETE /api/serve/applications/", 200, "{}");

    CliHarness.Result r = cli.run("serve", "shutdown", "--address", url);

    assertThat(r.err()).isEmpty();
    assertThat(requests()).containsExactly("GET /api/serve/applications/", "DELETE /api/serve/applications/");
    assertThat(r.out()).isEqualTo("Removing 2 applications: hello, batch (their replicas drain and stop)\n");
  }

  @Test
  void runOnARunningHeadDeploysBlocksAndRemovesTheAppsWhenStopped() throws Exception {
    answer("GET /api/cluster/status", 200, "{\"nodes\": []}");
    answer("PUT /api/serve/applications/", 200, "{}");
    answer("GET /api/serve/applications/", 200, STATUS);
    answer("DELETE /api/serve/applications/", 200, "{}");
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    StringWriter out = new StringWriter() {
      @Override
      public void write(String s, int off, int len) {
        super.write(s, off, len);
        if (toString().contains("Press Ctrl-C")) {
          blocked.complete(null);
        }
      }
    };
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> code = new CompletableFuture<>();
    Thread t = new Thread(() -> code.complete(Main.execute(new String[] {"serve", "run", config.toString(), "--address", url},
        cli.context(new PrintWriter(out, true), new PrintWriter(err, true)))));
    t.start();

    blocked.get(20, TimeUnit.SECONDS);
    assertThat(requests()).doesNotContain("DELETE /api/serve/applications/");
    t.interrupt(); // what Ctrl-C does, through the shutdown hook

    assertThat(code.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(requests()).endsWith("DELETE /api/serve/applications/");
    assertThat(out.toString()).contains("curl http://127.0.0.1:8000/hello").endsWith("Removed the serve applications.\n");
  }

  @Test
  void runWithAnAddressWhereNoHeadRunsFails() {
    server.close();
    CliHarness.Result r = cli.run("serve", "run", config.toString(), "--address", url);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("troupe: no Troupe REST API at " + url + " (is a head running? 'troupe start --head')\n");
  }
}
