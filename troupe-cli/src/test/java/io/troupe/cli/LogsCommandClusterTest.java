package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe logs} against an in-process cluster whose only GPU is on the worker, so the hello replica (one GPU)
 * runs there: its log lines — with the request id the client sent and the error id of a failed request — are read
 * through the head's REST API from the worker's log service; {@code --follow} prints a line written later; the
 * node's own log and the listing work too; bad names and nodes are refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogsCommandClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static LocalCluster cluster;
  static String url;
  static int port;
  static String worker;

  @TempDir
  Path home;

  @BeforeAll
  static void start() {
    port = FreePorts.pick();
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(1).gpusPerWorker(1).cpusPerNode(2)
        .extension(ServeExtension.create()).build());
    url = cluster.head().dashboardUrl();
    worker = cluster.nodes().stream().filter(n -> !n.isHead()).findFirst().orElseThrow().nodeId().value();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void logsOfAReplicaOnAnotherNodeCarryTheRequestAndErrorIds() throws Exception {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/examples/hello/serve.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = Files.writeString(home.resolve("serve.yaml"), yaml.replace("port: 8000", "port: " + port)
        .replace("num_replicas: 2", "num_replicas: 1\n        ray_actor_options: {num_gpus: 1}"));
    CliHarness cli = new CliHarness(home);
    CliHarness.Result deployed = cli.run("serve", "deploy", file.toString(), "--address", url, "--wait", "60");
    assertThat(deployed.code()).as(deployed.err()).isZero();

    HttpResponse<String> ok = hello("you", "req-ok-1");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("x-request-id")).hasValue("req-ok-1");
    assertThat(ok.headers().firstValue("x-troupe-node")).as("the replica runs on the worker").hasValue(worker);
    String replica = ok.headers().firstValue("x-troupe-replica").orElseThrow();
    HttpResponse<String> boom = hello("boom", "req-boom-1");
    assertThat(boom.statusCode()).isEqualTo(500);
    String errorId = JSON.readTree(boom.body()).path("error_id").asText();
    assertThat(errorId).isNotBlank();
    HttpResponse<String> generated = hello("anon", null);
    String generatedId = generated.headers().firstValue("x-request-id").orElseThrow();

    CliHarness.Result logs = await(() -> cli.run("logs", "replica", replica, "--address", url),
        r -> r.out().contains("request_id=" + generatedId));
    assertThat(logs.code()).as(logs.err()).isZero();
    assertThat(logs.out().lines()).anySatisfy(l -> assertThat(l).contains("request_id=req-ok-1")
        .contains("INFO").contains("Hello - greeting you"));
    assertThat(logs.out().lines()).anySatisfy(l -> assertThat(l).contains("request_id=req-boom-1 error_id=" + errorId)
        .contains("WARN").contains("failed, error id " + errorId));
    assertThat(logs.out()).contains("java.lang.IllegalStateException: boom requested");
    assertThat(logs.out().lines()).anySatisfy(l -> assertThat(l).contains("request_id=" + generatedId)
        .contains("greeting anon"));

    CliHarness.Result tail = cli.run("logs", "replica", replica, "--tail", "1", "--address", url);
    assertThat(tail.out().lines()).hasSize(1).first().asString().contains("greeting anon");

    CliHarness.Result deployment = cli.run("logs", "deployment", "hello/Hello", "--address", url);
    assertThat(deployment.out()).startsWith("==> " + worker + " actor-" + replica + "-").contains("greeting you");

    CliHarness.Result list = cli.run("logs", "--address", url);
    assertThat(list.out().lines()).anySatisfy(l -> assertThat(l).startsWith(worker).contains("actor-" + replica));
    assertThat(list.out().lines()).anySatisfy(l -> assertThat(l).startsWith(worker).contains("node.log"));

    CliHarness.Result node = cli.run("logs", "node", worker, "--tail", "1000", "--address", url);
    assertThat(node.out()).contains("is alive on " + worker);

    // --follow prints what the replica logs after it started, until interrupted
    StringWriter out = new StringWriter();
    Thread follower = Thread.ofVirtual().start(() -> Main.execute(
        new String[] {"logs", "replica", replica, "--tail", "0", "--follow", "--address", url},
        cli.context(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))));
    await(() -> {
      hello("later", "req-follow-1");
      return out.toString();
    }, s -> s.contains("request_id=req-follow-1"));
    follower.interrupt();
    follower.join(10_000);
    assertThat(follower.isAlive()).isFalse();
    assertThat(out.toString()).contains("greeting later").doesNotContain("greeting you");
  }

  @Test
  void badFileNamesUnknownNodesAndMissingArgumentsAreRefused() throws Exception {
    HttpResponse<String> traversal = rest("/api/logs/file?node_id=" + worker + "&file=..%2F..%2Fetc%2Fpasswd");
    assertThat(traversal.statusCode()).isEqualTo(404);
    assertThat(traversal.body()).contains("not a log file name");
    assertThat(rest("/api/logs/file?node_id=node-nope&file=node.log").body()).contains("no ALIVE node node-nope");
    assertThat(rest("/api/logs/file?node_id=" + worker).statusCode()).isEqualTo(400);
    assertThat(rest("/api/logs/file?node_id=" + worker + "&file=node.log&tail=x").body())
        .contains("tail must be a whole number");
    JsonNode files = JSON.readTree(rest("/api/logs?node_id=" + worker).body()).path("files");
    assertThat(files).allSatisfy(f -> assertThat(f.path("node_id").asText()).isEqualTo(worker));

    CliHarness cli = new CliHarness(home);
    CliHarness.Result noActor = cli.run("logs", "actor", "no-such-actor", "--address", url);
    assertThat(noActor.code()).isEqualTo(1);
    assertThat(noActor.err()).contains("no log file of actor no-such-actor");
    assertThat(cli.run("logs", "pod", "x", "--address", url).err()).contains("unknown kind 'pod'");
    assertThat(cli.run("logs", "replica", "--address", url).code()).isEqualTo(2);
  }

  private static HttpResponse<String> hello(String name, String requestId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello?name=" + name))
        .timeout(Duration.ofSeconds(30));
    if (requestId != null) {
      b.header("x-request-id", requestId);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> rest(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code get} until {@code done} holds (20 s at most) and returns the last value. */
  private static <T> T await(ThrowingSupplier<T> get, java.util.function.Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    T last = get.get();
    while (!done.test(last) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(100_000_000L);
      last = get.get();
    }
    assertThat(done.test(last)).as("%s", last).isTrue();
    return last;
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }
}
