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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling update under load, end to end over real HTTP on a 2-worker {@link LocalCluster}: while
 * clients keep sending requests through the proxy, a config change to a resource option replaces
 * every replica (new ones running before old ones drain), and not one request fails.
 */
@Timeout(120)
class ServeRolloutEndToEndTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static String config(int port, double cpus) {
    return """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: %d, request_timeout_s: 20}
        applications:
          - name: hello
            route_prefix: /hello
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                num_replicas: 2
                max_ongoing_requests: 4
                ray_actor_options: {num_cpus: %s}
                graceful_shutdown_wait_loop_s: 0.2
        """.formatted(port, cpus);
  }

  @Test
  void aResourceChangeRollsReplicasOverWithoutDroppingRequests() throws Exception {
    int port = FreePorts.pick();
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2)
        .extension(ServeExtension.create()).build())) {
      String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
      String url = "http://127.0.0.1:" + port + "/hello?name=r&sleep_ms=20";
      assertThat(send("PUT", api, config(port, 1)).statusCode()).isEqualTo(200);
      Set<String> before = replicaIds(poll(api, running()));
      assertThat(before).hasSize(2);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      Map<String, Integer> servedBy = new ConcurrentHashMap<>();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        clients.add(Thread.ofVirtual().start(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> r = send("GET", url, null);
              if (r.statusCode() == 200 && r.body().equals("hello r")) {
                ok.incrementAndGet();
                servedBy.merge(r.headers().firstValue("x-troupe-replica").orElse("?"), 1, Integer::sum);
              } else {
                failures.add(r.statusCode() + " " + r.body());
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        }));
      }
      waitFor(() -> ok.get() >= 20, "load running");

      long t0 = System.nanoTime();
      assertThat(send("PUT", api, config(port, 0.5)).statusCode()).isEqualTo(200);
      JsonNode rolled = poll(api, s -> running().test(s) && replicaIds(s).size() == 2
          && replicaIds(s).stream().noneMatch(before::contains));
      System.out.printf("rollover of 2 replicas under load: RUNNING on new replicas after %d ms%n",
          (System.nanoTime() - t0) / 1_000_000);
      Set<String> after = replicaIds(rolled);
      int atRollover = ok.get();
      waitFor(() -> ok.get() >= atRollover + 40, "load continuing on the new replicas");
      stop.set(true);
      for (Thread t : clients) {
        assertThat(t.join(Duration.ofSeconds(30))).isTrue();
      }

      System.out.printf("%d requests, %d failed; served by %s%n", ok.get() + failures.size(), failures.size(), servedBy);
      assertThat(failures).as("requests that failed during the rollover").isEmpty();
      // old replicas served before the change, new ones after it (the proxy prefers a replica on its own
      // node, so not necessarily every replica got traffic)
      assertThat(servedBy.keySet()).containsAnyElementsOf(before).containsAnyElementsOf(after);
    }
  }

  private static Predicate<JsonNode> running() {
    return s -> s.path("applications").path("hello").path("status").asText().equals("RUNNING")
        && s.path("applications").path("hello").path("deployments").path("Hello").path("status").asText()
            .equals("HEALTHY");
  }

  private static Set<String> replicaIds(JsonNode status) {
    Set<String> ids = new HashSet<>();
    status.path("applications").path("hello").path("deployments").path("Hello").path("replicas")
        .forEach(r -> ids.add(r.path("replica_id").asText()));
    return ids;
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).get(40, TimeUnit.SECONDS);
  }

  private JsonNode poll(String url, Predicate<JsonNode> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(60)).until("serve status at " + url,
        () -> Json.MAPPER.readTree(send("GET", url, null).body()), done);
  }

  private static void waitFor(java.util.function.BooleanSupplier done, String what) throws Exception {
    Poll.upTo(Duration.ofSeconds(60)).every(Duration.ofMillis(20)).until(what, done::getAsBoolean);
  }
}
