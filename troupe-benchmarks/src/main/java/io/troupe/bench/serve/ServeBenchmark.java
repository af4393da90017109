package io.troupe.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.rest.Json;
import io.troupe.serve.api.CallOptions;
import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ServeExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serving benchmark (a program, not a test): on an embedded {@link LocalCluster} — head + 2 workers
 * in this JVM, each its own actor system over real TCP on loopback, 4 logical CPUs each, HTTP proxy
 * on the head — it measures
 * <ol>
 *   <li>a no-op deployment through the Troupe proxy vs a bare Helidon SE hello-world in the same
 *       JVM, driven by the same closed-loop {@link LoadGenerator};</li>
 *   <li>handle-to-handle call throughput: {@link Fanout} keeps {@code inFlight} calls to
 *       {@link Leaf} outstanding (timed inside the Fanout replica);</li>
 *   <li>the added latency of a cross-node hop: sequential Fanout → Leaf calls with the Leaf on the
 *       Fanout's node vs on another node (steered with CPU sizes, checked from the answers);</li>
 *   <li>a 10-deployment chain ({@link BenchApps#chain}) through the proxy, same load generator.</li>
 * </ol>
 * Every figure is the median of {@code rounds} rounds after a warm-up.
 *
 * <p>Usage: {@code ServeBenchmark [clients=16] [requests=4000] [rounds=3] [handleCalls=10000] [probeCalls=1000]}.
 */
public final class ServeBenchmark {
  private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServeBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int clients = arg(args, 0, 16);
    int requests = arg(args, 1, 4000);
    int rounds = arg(args, 2, 3);
    int handleCalls = arg(args, 3, 10000);
    int probeCalls = arg(args, 4, 1000);
    System.out.printf("ServeBenchmark clients=%d requests=%d rounds=%d handleCalls=%d probeCalls=%d; %s %s, %d CPUs%n",
        clients, requests, rounds, handleCalls, probeCalls, System.getProperty("java.vm.name"),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    WebServer helidon = WebServer.builder().host("127.0.0.1").port(0)
        .routing(HttpRouting.builder().any((req, res) -> res.send("ok"))).build().start();
    LoadGenerator load = new LoadGenerator(clients);
    long started = System.nanoTime();
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2)
        .extension(ServeExtension.create()).build())) {
      String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
      String base = "http://127.0.0.1:" + port;
      String head = cluster.head().nodeId().value();
      System.out.printf("cluster up in %d ms; head %s%n", (System.nanoTime() - started) / 1_000_000, head);
      // (a) no-op through the proxy vs bare Helidon
      deploy(api, port, "noop", "/noop");
      HttpResponse<String> one = get(base + "/noop");
      String noopNode = one.headers().firstValue("x-troupe-node").orElse("?");
      System.out.printf("(a) no-op replica on %s (proxy on the head: %s)%n", noopNode,
          noopNode.equals(head) ? "same node" : "another node");
      String helidonUrl = "http://127.0.0.1:" + helidon.port() + "/";
      load.run(helidonUrl, requests);
      load.run(base + "/noop", requests);
      List<Stats.Sample> bare = new ArrayList<>();
      List<Stats.Sample> troupe = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        bare.add(load.run(helidonUrl, requests));
        troupe.add(load.run(base + "/noop", requests));
      }
      Stats.Sample b = Stats.median(bare, "bare Helidon hello-world");
      Stats.Sample t = Stats.median(troupe, "Troupe no-op via proxy");
      System.out.printf("  RESULT a: throughput ratio troupe/bare %.3f; added p50 %,.0f us; added p99 %,.0f us%n",
          t.perSecond() / b.perSecond(), t.p50Us() - b.p50Us(), t.p99Us() - b.p99Us());

      // (b) handle-to-handle throughput
      deploy(api, port, "handles", "/handles");
      DeploymentHandle<Fanout> fanout = DeploymentHandle.<Fanout>of(cluster.head().client(), "handles", "Fanout")
          .options(CallOptions.DEFAULT.withTimeout(Duration.ofMinutes(5)));
      int inFlight = 2 * clients;
      burst(fanout, handleCalls / 2, inFlight);
      List<Double> rates = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        rates.add(burst(fanout, handleCalls, inFlight));
      }
      System.out.printf("  RESULT b: handle->handle calls/s median %,.0f (rounds %s), %d in flight%n",
          Stats.median(rates), rates, inFlight);

      // (c) cross-node hop
      Stats.Sample same = hop(api, port, cluster.head().client(), "hopSame", probeCalls, rounds, true);
      if (same == null) {
        same = hop(api, port, cluster.head().client(), "hopLocal", probeCalls, rounds, true);
      }
      Stats.Sample cross = hop(api, port, cluster.head().client(), "hopCross", probeCalls, rounds, false);
      if (same != null && cross != null) {
        System.out.printf("  RESULT c: cross-node hop adds p50 %,.0f us, p99 %,.0f us per handle call%n",
            cross.p50Us() - same.p50Us(), cross.p99Us() - same.p99Us());
      }

      // (d) 10-deployment chain through the proxy: packed (as placed) and spread over the 3 nodes
      for (String app : List.of("chain", "chainSpread")) {
        Stats.Sample c = chain(api, port, base, app, load, Math.max(500, requests / 4), rounds);
        System.out.printf("  RESULT d: %s %s; vs no-op: throughput %.3f, added p50 %,.0f us%n",
            app, c, c.perSecond() / t.perSecond(), c.p50Us() - t.p50Us());
      }
    } finally {
      helidon.stop();
    }
    System.out.printf("total %d s%n", (System.nanoTime() - started) / 1_000_000_000);
    System.exit(0);
  }

  private static double burst(DeploymentHandle<Fanout> fanout, int calls, int inFlight) throws Exception {
    String[] r = fanout.<String>remote("burst", calls, inFlight).get(5, TimeUnit.MINUTES).split(",");
    double rate = calls / (Long.parseLong(r[0]) / 1e9);
    System.out.printf("    burst %d calls: %,.0f/s, %s answered on the caller's node, %s failed%n", calls, rate, r[1], r[2]);
    return rate;
  }

  private static Stats.Sample chain(String api, int port, String base, String app, LoadGenerator load,
      int requests, int rounds) throws Exception {
    deploy(api, port, app, "/" + app);
    String url = base + "/" + app;
    String[] nodes = get(url).body().split(",");
    int crossHops = 0;
    for (int i = 1; i < nodes.length; i++) {
      crossHops += nodes[i].equals(nodes[i - 1]) ? 0 : 1;
    }
    System.out.printf("(d) %s: %d deployments, %d of its %d handle hops cross nodes; nodes %s%n",
        app, nodes.length, crossHops, nodes.length - 1, Arrays.toString(nodes));
    load.run(url, requests);
    List<Stats.Sample> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      samples.add(load.run(url, requests));
    }
    return Stats.median(samples, app + " via proxy");
  }

  /**
   * Deploys {@code app}, then {@code rounds} probes of {@code calls} sequential Fanout → Leaf calls;
   * null when the Leaf's node is not the one wanted (same node or not).
   */
  private static Stats.Sample hop(String api, int port, Troupe driver, String app, int calls, int rounds,
      boolean wantSameNode) throws Exception {
    deploy(api, port, app, "/" + app);
    DeploymentHandle<Fanout> h = DeploymentHandle.<Fanout>of(driver, app, "Fanout")
        .options(CallOptions.DEFAULT.withTimeout(Duration.ofMinutes(5)));
    h.<String>remote("probe", Math.max(100, calls / 2)).get(5, TimeUnit.MINUTES);
    List<Stats.Sample> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String[] parts = h.<String>remote("probe", calls).get(5, TimeUnit.MINUTES).split(";");
      boolean sameNode = parts[1].equals(parts[0]);
      System.out.printf("    %s: Fanout on %s, Leaf answered from %s (%s)%n", app, parts[0], parts[1],
          sameNode ? "same node" : "other node");
      if (sameNode != wantSameNode) {
        System.out.printf("    %s: placement is not the one wanted; skipped%n", app);
        return null;
      }
      long[] lat = Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).toArray();
      samples.add(Stats.Sample.of(lat, Arrays.stream(lat).sum(), 0));
    }
    return Stats.median(samples, app + (wantSameNode ? " (same node)" : " (cross node)"));
  }

  /** PUTs a config with the one application {@code BenchApps:<app>} and waits until it alone is RUNNING. */
  private static void deploy(String api, int port, String app, String route) throws Exception {
    String config = """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: %d, request_timeout_s: 30}
        applications:
          - name: %s
            route_prefix: %s
            import_path: %s:%s
        """.formatted(port, app, route, BenchApps.class.getName(), app);
    long t0 = System.nanoTime();
    HttpResponse<String> put = send("PUT", api, config);
    if (put.statusCode() != 200) {
      throw new IllegalStateException("PUT " + app + ": " + put.statusCode() + " " + put.body());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = Json.MAPPER.readTree(send("GET", api, null).body());
      JsonNode apps = last.path("applications");
      if (apps.size() == 1 && apps.path(app).path("status").asText().equals("RUNNING")) {
        System.out.printf("%s RUNNING in %d ms%n", app, (System.nanoTime() - t0) / 1_000_000);
        return;
      }
      Thread.sleep(100); // polling interval of a deadline loop
    }
    throw new IllegalStateException(app + " not RUNNING in 90 s: " + last);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return send("GET", url, null);
  }

  private static HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return ADMIN.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int arg(String[] args, int i, int dflt) {
    return args.length > i ? Integer.parseInt(args[i]) : dflt;
  }
}
