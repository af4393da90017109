package io.troupe.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.serve.api.ServeExtension;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in a real headless Chromium against a head (with a REST API token) and a worker with a GPU: the
 * hello application deployed, a placement group on the worker's GPU, traffic. Each page's DOM after its scripts ran
 * shows the cluster's real data, and a screenshot of each is kept in {@code target/dashboard-screenshots/}. The
 * token reaches the page in the URL fragment; without it the page asks for it. Skipped, saying why, only where
 * Chromium is missing and cannot be installed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardChromiumTest {
  private static final String TOKEN = "dash-test-token";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
  static HeadlessChromium chromium;
  static TroupeNode head;
  static TroupeNode worker;
  static String url;
  static int port;
  static PlacementGroupId group;

  @BeforeAll
  static void start() throws Exception {
    chromium = HeadlessChromium.find(Path.of("target", "chromium-profile")).orElse(null);
    Assumptions.assumeTrue(chromium != null, HeadlessChromium::missingReason);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    head = TroupeNode.start(NodeConfig.builder().head(true).port(0).dashboardPort(0).dashboardToken(TOKEN)
        .numCpus(2.0).numGpus(0).extensions(List.of(ServeExtension.create(), DashboardExtension.create())).build());
    worker = TroupeNode.start(NodeConfig.builder().headAddress(head.address()).port(0).numCpus(2.0).numGpus(2)
        .extensions(List.of(ServeExtension.create())).build());
    url = head.dashboardUrl();
    group = head.client().createPlacementGroup(PlacementGroupSpec.builder().name("tp-dash")
        .strategy(PlacementStrategy.PACK).bundle(Map.of("GPU", 1)).build());
    head.client().waitPlacementGroupReady(group, Duration.ofSeconds(30)).join();
    String yaml;
    try (InputStream in = DashboardChromiumTest.class.getResourceAsStream("/examples/hello/serve.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("port: 8000", "port: " + port);
    }
    HttpResponse<String> put = send("PUT", url + "/api/serve/applications/", yaml);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!send("GET", url + "/api/serve/applications/", null).body().contains("\"RUNNING\"")) {
      assertThat(System.nanoTime()).as("hello RUNNING within 60 s").isLessThan(deadline);
      LockSupport.parkNanos(100_000_000L);
    }
    for (int i = 0; i < 5; i++) {
      hello(i == 4 ? "boom" : "dash" + i);
    }
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (head != null) {
      head.close();
    }
  }

  @Test
  void everyPageRendersTheClustersDataInChromium() throws Exception {
    String cluster = page("cluster", url + "/dashboard/#token=" + TOKEN);
    assertThat(cluster).contains(head.nodeId().value()).contains(worker.nodeId().value()).contains("ALIVE")
        .contains("GPU ids").contains("0, 1").doesNotContain("wants its token");

    String tokenless = chromium.dumpDom(url + "/dashboard/#cluster", 4000);
    assertThat(tokenless).contains("the REST API wants its token").doesNotContain(worker.nodeId().value());

    String groups = page("groups", tokenUrl("groups"));
    assertThat(groups).contains("tp-dash").contains("CREATED").contains(worker.nodeId().value()).contains("epoch 0")
        .contains("no gang restarts");

    String actors = page("actors", tokenUrl("actors"));
    assertThat(actors).contains("hello#Hello#").contains("ReplicaActor").contains("ALIVE");

    String serve = page("serve", tokenUrl("serve"));
    assertThat(serve).contains("Application hello").contains("RUNNING").contains("HEALTHY").contains("hello#Hello#")
        .contains("route /hello");

    String logs = page("logs", tokenUrl("logs"));
    assertThat(logs).contains("node.log").contains("actor-hello#Hello#");

    AtomicBoolean traffic = new AtomicBoolean(true);
    Thread load = Thread.ofVirtual().start(() -> {
      while (traffic.get()) {
        try {
          hello("load");
        } catch (Exception e) {
          return;
        }
      }
    });
    try {
      String metrics = page("metrics", tokenUrl("metrics"));
      assertThat(metrics).containsPattern("id=\"chart-rps\"[^>]*data-series=\"hello\"")
          .containsPattern("id=\"chart-p50\"[^>]*data-series=\"hello\"");
    } finally {
      traffic.set(false);
      load.join(10_000);
    }
  }

  /** The token travels in the URL fragment (never sent to the server); the page keeps it and opens {@code page}. */
  private static String tokenUrl(String page) {
    return url + "/dashboard/#token=" + TOKEN + "&" + page;
  }

  private static String page(String name, String pageUrl) throws Exception {
    String dom = chromium.dumpDom(pageUrl, 5000);
    chromium.screenshot(pageUrl, 5000, SHOTS.resolve(name + ".png"));
    assertThat(dom).as("page %s loaded", name).contains("data-loaded=\"true\"");
    return dom;
  }

  private static void hello(String name) throws Exception {
    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello?name=" + name))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String method, String u, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + TOKEN);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/yaml");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
