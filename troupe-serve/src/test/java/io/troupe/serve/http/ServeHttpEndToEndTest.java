package io.troupe.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.rest.Json;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The serving layer end to end on a 2-worker {@link LocalCluster}: a config PUT to the head's REST
 * API, HTTP through the proxy to two replicas on two nodes, user errors, back-pressure, timeouts,
 * an in-place user_config update and DELETE.
 */
@Timeout(90)
class ServeHttpEndToEndTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static String config(int port, String greeting) {
    return """
        proxy_location: HeadOnly
        http_options:
          host: 127.0.0.1
          port: %d
          request_timeout_s: 3
        applications:
          - name: hello
            route_prefix: /hello
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                num_replicas: 2
                user_config: {greeting: %s}
                ray_actor_options: {num_cpus: 3}
                graceful_shutdown_wait_loop_s: 0.1
          - name: narrow
            route_prefix: /narrow
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                num_replicas: 1
                max_ongoing_requests: 1
                max_queued_requests: 1
                ray_actor_options: {num_cpus: 0.5}
                graceful_shutdown_wait_loop_s: 0.1
        """.formatted(port, greeting);
  }

  @Test
  void servesAClassOverHttp() throws Exception {
    int port = FreePorts.pick();
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2)
        .extension(ServeExtension.create()).build())) {
      String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
      String base = "http://127.0.0.1:" + port;
      long t0 = System.nanoTime();
      assertThat(send("PUT", api, config(port, "hello")).statusCode()).isEqualTo(200);
      JsonNode status = poll(api, s -> s.path("applications").path("hello").path("status").asText().equals("RUNNING")
          && s.path("applications").path("narrow").path("status").asText().equals("RUNNING"));
      System.out.printf("PUT -> RUNNING in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      JsonNode replicas = status.path("applications").path("hello").path("deployments").path("Hello").path("replicas");
      assertThat(replicas).hasSize(2);
      Set<String> replicaIds = new HashSet<>();
      Set<String> nodes = new HashSet<>();
      replicas.forEach(r -> {
        replicaIds.add(r.path("replica_id").asText());
        nodes.add(r.path("node_id").asText());
      });
      assertThat(nodes).hasSize(2); // 3 CPUs each on 4-CPU nodes: two nodes

      // concurrent requests reach both replicas (each answers with its id and node)
      Set<String> servedBy = new HashSet<>();
      Set<String> servedOn = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (servedBy.size() < 2 && System.nanoTime() < deadline) {
        List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          batch.add(sendAsync("GET", base + "/hello?name=x&sleep_ms=200", null));
        }
        for (var f : batch) {
          HttpResponse<String> r = f.join();
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.body()).isEqualTo("hello x");
          servedBy.add(r.headers().firstValue("x-troupe-replica").orElseThrow());
          servedOn.add(r.headers().firstValue("x-troupe-node").orElseThrow());
        }
      }
      assertThat(servedBy).isEqualTo(replicaIds);
      assertThat(servedOn).isEqualTo(nodes);

      // unknown route, user error (replica keeps serving), request timeout
      assertThat(send("GET", base + "/nope", null).statusCode()).isEqualTo(404);
      HttpResponse<String> boom = send("GET", base + "/hello?name=boom", null);
      assertThat(boom.statusCode()).isEqualTo(500);
      assertThat(Json.MAPPER.readTree(boom.body()).path("error_id").asText()).hasSize(16);
      assertThat(boom.body()).contains("boom requested");
      assertThat(send("GET", base + "/hello/sub?name=y", null).body()).isEqualTo("hello y");
      assertThat(send("GET", base + "/hello?name=z&sleep_ms=5000", null).statusCode()).isEqualTo(408);
      // the timed-out request is interrupted on its replica: narrow's only slot (max_ongoing_requests=1) is
      // free at once, not after the 60 s the request would have slept
      assertThat(send("GET", base + "/narrow?name=t&sleep_ms=60000", null).statusCode()).isEqualTo(408);
      HttpResponse<String> afterTimeout = send("GET", base + "/narrow?name=after", null);
      assertThat(afterTimeout.statusCode()).as(afterTimeout.body()).isEqualTo(200);
      assertThat(afterTimeout.body()).isEqualTo("hello after");

      // max_ongoing_requests=1, max_queued_requests=1: a burst gets 503 with Retry-After
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        burst.add(sendAsync("GET", base + "/narrow?name=n&sleep_ms=1000", null));
      }
      List<Integer> codes = burst.stream().map(f -> f.join().statusCode()).toList();
      assertThat(codes).contains(200, 503);
      assertThat(burst.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 503))
          .allSatisfy(r -> assertThat(r.headers().firstValue("retry-after")).isPresent());

      // user_config changes in place: same replica actors, new greeting
      long t1 = System.nanoTime();
      assertThat(send("PUT", api, config(port, "hi")).statusCode()).isEqualTo(200);
      pollHttp(base + "/hello?name=x", "hi x");
      System.out.printf("user_config update visible in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
      JsonNode after = poll(api, s -> s.path("applications").path("hello").path("status").asText().equals("RUNNING"));
      Set<String> afterIds = new HashSet<>();
      after.path("applications").path("hello").path("deployments").path("Hello").path("replicas")
          .forEach(r -> afterIds.add(r.path("replica_id").asText()));
      assertThat(afterIds).isEqualTo(replicaIds);

      // DELETE removes everything; the route is gone
      long t2 = System.nanoTime();
      assertThat(send("DELETE", api, null).statusCode()).isEqualTo(200);
      poll(api, s -> s.path("applications").isEmpty());
      System.out.printf("DELETE -> no applications in %d ms%n", (System.nanoTime() - t2) / 1_000_000);
      assertThat(send("GET", base + "/hello?name=x", null).statusCode()).isEqualTo(404);
    }
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    return sendAsync(method, url, body).get();
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String method, String url, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode poll(String url, Predicate<JsonNode> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(30)).until("serve status at " + url,
        () -> Json.MAPPER.readTree(send("GET", url, null).body()), done);
  }

  private void pollHttp(String url, String expected) throws Exception {
    Poll.upTo(Duration.ofSeconds(30)).until(url + " answering '" + expected + "'", () -> send("GET", url, null).body(),
        expected::equals);
  }
}
