package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.LocalCluster;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe serve deploy/status/shutdown} with the hello example (its serve.yaml from the
 * troupe-examples jar, on a free port) against the real REST API and proxy of an in-process cluster.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeCommandClusterTest {
  static LocalCluster cluster;
  static String url;
  static int port;

  @TempDir
  Path home;

  @BeforeAll
  static void start() {
    port = FreePorts.pick(); // one proxy port for every test here
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(2)
        .extension(ServeExtension.create()).build());
    url = cluster.head().dashboardUrl();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void deployTheHelloExampleThenStatusCallAndShutdown() throws Exception {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/examples/hello/serve.yaml")) {
      assertThat(in).as("examples/hello/serve.yaml on the classpath (troupe-examples)").isNotNull();
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(yaml).contains("port: 8000").contains("import_path: io.troupe.examples.hello.Hello");
    Path file = Files.writeString(home.resolve("serve.yaml"), yaml.replace("port: 8000", "port: " + port));
    CliHarness cli = new CliHarness(home);

    CliHarness.Result deployed = cli.run("serve", "deploy", file.toString(), "--address", url, "--wait", "60");
    assertThat(deployed.err()).isEmpty();
    assertThat(deployed.out()).contains("curl http://127.0.0.1:" + port + "/hello");
    assertThat(deployed.out().lines()).anySatisfy(l -> assertThat(l).matches("hello +RUNNING +/hello +Hello +\\S+ +-"));

    // Poll: right after a previous test's shutdown of the same app, replicas of the old generation can
    // still be STOPPING for a moment while the new ones start (known controller status edge case).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    CliHarness.Result status = cli.run("serve", "status", "--address", url);
    while (status.out().lines().noneMatch(l -> l.matches("hello/Hello +HEALTHY +2 +RUNNING 2 +-"))
        && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
      status = cli.run("serve", "status", "--address", url);
    }
    assertThat(status.out().lines()).anySatisfy(l -> assertThat(l).matches("hello/Hello +HEALTHY +2 +RUNNING 2 +-"));
    assertThat(status.out().lines().filter(l -> l.matches("hello#Hello#\\S+ +hello/Hello +RUNNING +\\S+ +-"))).hasSize(2);

    HttpResponse<String> hi = get("http://127.0.0.1:" + port + "/hello?name=you");
    assertThat(hi.statusCode()).isEqualTo(200);
    assertThat(hi.body()).isEqualTo("hello you");

    CliHarness.Result down = cli.run("serve", "shutdown", "--address", url);
    assertThat(down.out()).isEqualTo("Removing 1 application: hello (their replicas drain and stop)\n");
  }

  /**
   * A builder that throws (here an LLM app with a misspelt model key) is reported with its own message —
   * not the reflection wrapper — by the deployment status, the REST answer and the CLI.
   */
  @Test
  void anLlmAppWithAnUnknownModelKeyReportsTheBuildersMessageEverywhere() throws Exception {
    String yaml = """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: %d, request_timeout_s: 30}
        applications:
          - name: ext
            route_prefix: /ext
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            args:
              models:
                - {model_id: tiny, model_source: /nowhere, max_tokenz: 8}
        """.formatted(port);
    Path file = Files.writeString(home.resolve("ext.yaml"), yaml);
    CliHarness cli = new CliHarness(home);
    String expected = "Deploying application 'ext' failed: unknown model option 'max_tokenz'; known: [";

    CliHarness.Result deployed = cli.run("serve", "deploy", file.toString(), "--address", url, "--wait", "60");
    assertThat(deployed.code()).isNotZero();
    assertThat(deployed.err()).contains("application ext failed to deploy: " + expected)
        .doesNotContain("InvocationTargetException");

    HttpResponse<String> rest = get(url + "/api/serve/applications/");
    assertThat(rest.statusCode()).isEqualTo(200);
    com.fasterxml.jackson.databind.JsonNode app = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(rest.body()).path("applications").path("ext");
    assertThat(app.path("status").asText()).isEqualTo("DEPLOY_FAILED");
    assertThat(app.path("message").asText()).startsWith(expected).contains("max_tokens");

    CliHarness.Result status = cli.run("serve", "status", "--address", url);
    assertThat(status.out()).contains("DEPLOY_FAILED").contains("unknown model option 'max_tokenz'")
        .doesNotContain("InvocationTargetException");

    cli.run("serve", "shutdown", "--address", url);
  }

  @Test
  void theDemoConfigServesTheLlmOnRootWithTwoSpreadRanksAndHelloOnHello() {
    ServeCommand.Loaded c = ServeCommand.parse("demo", DemoCommand.demoConfig(port, home.resolve("models/demo")));
    var apps = c.parsed().applications();
    assertThat(apps).extracting(a -> a.name() + " " + a.routePrefix().orElse("?"))
        .containsExactly("llm /", "hello /hello");
    assertThat(c.parsed().httpOptions().port()).isEqualTo(port);
    assertThat(c.text()).contains("\"tensor_parallel_size\":2").contains("\"num_gpus_per_rank\":1")
        .contains("\"placement_group_strategy\":\"STRICT_SPREAD\"")
        .contains("\"model_source\":\"" + home.resolve("models/demo").toAbsolutePath() + "\"");
  }

  private static HttpResponse<String> get(String u) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
