package io.troupe.serve.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.rest.Json;
import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ResponseStream;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Composition and streaming end to end on a 2-worker {@link LocalCluster}: {@link ComposeApp}'s
 * ingress on one node calls the Model on another through the {@code DeploymentHandle} its
 * constructor received; streaming tokens travel Model → (handle stream) → Preprocessor → (proxy
 * pulls) → HTTP client chunk by chunk.
 */
@Timeout(60)
class ServeCompositionEndToEndTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static LocalCluster cluster;
  private static String base;

  @BeforeAll
  static void deploy() throws Exception {
    int port = FreePorts.pick();
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).extension(ServeExtension.create()).build());
    String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
    base = "http://127.0.0.1:" + port;
    String config = """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: %d, request_timeout_s: 20}
        applications:
          - name: compose
            route_prefix: /compose
            import_path: io.troupe.serve.compose.ComposeApp:app
        """.formatted(port);
    long t0 = System.nanoTime();
    assertThat(send("PUT", api, config).statusCode()).isEqualTo(200);
    Poll.upTo(Duration.ofSeconds(30)).until("compose app RUNNING", () -> Json.MAPPER.readTree(send("GET", api, null).body()),
        st -> st.path("applications").path("compose").path("status").asText().equals("RUNNING"));
    System.out.printf("compose app RUNNING in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void ingressCallsTheModelOnAnotherNodeThroughItsHandle() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = send("GET", base + "/compose?text=%20Hello%20World%20", null);
    System.out.printf("composed request in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(r.statusCode()).isEqualTo(200);
    String ingressNode = r.headers().firstValue("x-troupe-node").orElseThrow();
    assertThat(r.body()).startsWith("model(hello world)@");
    String modelNode = r.body().substring(r.body().indexOf('@') + 1);
    assertThat(modelNode).isNotEqualTo(ingressNode); // 3 CPUs each on 4-CPU nodes
    // and again, warm (routers and routing tables cached)
    long t1 = System.nanoTime();
    assertThat(send("GET", base + "/compose?text=again", null).body()).isEqualTo("model(again)@" + modelNode);
    System.out.printf("warm composed request in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
  }

  @Test
  void chunksReachTheHttpClientBeforeTheProducerHasMadeTheRest() throws Exception {
    Model.release = new CountDownLatch(1);
    Model.PRODUCED.set(0);
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/compose/stream?text=Tok&n=5"))
        .timeout(Duration.ofSeconds(30)).build();
    long t0 = System.nanoTime();
    HttpResponse<Stream<String>> r = HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-length")).isEmpty();
    Iterator<String> lines = r.body().iterator();
    assertThat(lines.next()).isEqualTo("tok-0");
    long firstMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(Model.PRODUCED.get()).isEqualTo(1); // the producer is parked before token 1
    Model.release.countDown();
    List<String> rest = new ArrayList<>();
    lines.forEachRemaining(rest::add);
    assertThat(rest).containsExactly("tok-1", "tok-2", "tok-3", "tok-4");
    System.out.printf("streamed over 2 nodes: first chunk after %d ms, all after %d ms%n", firstMs,
        (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void serverSentEventsWhenTheClientAcceptsThem() throws Exception {
    Model.release = new CountDownLatch(1);
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/compose/stream?text=e&n=3"))
        .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build();
    HttpResponse<Stream<String>> r = HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    Iterator<String> lines = r.body().iterator();
    assertThat(lines.next()).isEqualTo("data: e-0");
    assertThat(lines.next()).isEmpty();
    Model.release.countDown();
    List<String> rest = new ArrayList<>();
    lines.forEachRemaining(rest::add);
    assertThat(rest).containsExactly("data: e-1", "", "data: e-2", "");
  }

  @Test
  void aFailingProducerBreaksTheChunkedBodyOff() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/compose/broken?text=b"))
        .timeout(Duration.ofSeconds(30)).build();
    HttpResponse<Stream<String>> r = HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    Iterator<String> lines = r.body().iterator();
    assertThat(lines.next()).isEqualTo("b-0");
    assertThatThrownBy(() -> lines.forEachRemaining(l -> { })).hasRootCauseInstanceOf(IOException.class);
  }

  @Test
  void aDriverHandleCallsAndStreamsAcrossNodes() throws Exception {
    DeploymentHandle<Model> model = DeploymentHandle.of(cluster.head().client(), "compose", "Model");
    assertThat(model.<String>remote("predict", "x").get(20, TimeUnit.SECONDS)).startsWith("model(x)@");
    assertThat(model.remote(Model::predict, "y").get(20, TimeUnit.SECONDS)).startsWith("model(y)@"); // typed
    assertThat(model.remote(Model::node).get(20, TimeUnit.SECONDS)).isNotBlank();
    assertThatThrownBy(() -> model.remote((Model m, String t) -> m.predict(t), "z"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("method reference");
    Model.release = new CountDownLatch(0);
    try (ResponseStream<String> s = model.stream("tokens", "d", 3)) {
      List<String> got = new ArrayList<>();
      s.forEachRemaining(got::add);
      assertThat(got).containsExactly("d-0", "d-1", "d-2");
    }
    assertThatThrownBy(() -> model.remote("tokens", "d", 3).get(20, TimeUnit.SECONDS))
        .hasMessageContaining("returns a stream");
  }

  private static HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
