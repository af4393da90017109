package io.troupe.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.rest.Json;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.Poll;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code proxy_location} on an embedded 3-node cluster (each node's proxy on its own free port via
 * {@code ServeExtension.builder().proxyPort(0)}): EveryNode starts a proxy on every node, each serving the app
 * and listed with its port; HeadOnly stops the workers' proxies; Disabled stops the head's too.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyPlacementTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private static String config(String location) {
    return """
        proxy_location: %s
        http_options: {host: 127.0.0.1, port: 8000}
        applications:
          - name: hello
            route_prefix: /hello
            import_path: io.troupe.serve.http.Hello
            deployments:
              - {name: Hello, num_replicas: 1, ray_actor_options: {num_cpus: 0.5}}
        """.formatted(location);
  }

  @Test
  void proxiesFollowProxyLocation() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2)
        .extension(ServeExtension.builder().proxyPort(0).build()).build())) {
      String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
      assertThat(send("PUT", api, config("EveryNode")).statusCode()).isEqualTo(200);
      JsonNode s = poll(api, x -> x.path("applications").path("hello").path("status").asText().equals("RUNNING")
          && x.path("proxies").size() == 3);
      Map<String, String> proxies = proxies(s);
      assertThat(proxies.keySet()).containsExactlyInAnyOrder(cluster.head().nodeId().value(),
          cluster.worker(0).nodeId().value(), cluster.worker(1).nodeId().value());
      assertThat(proxies.values()).doesNotHaveDuplicates().noneMatch(u -> u.endsWith(":8000"));
      for (String p : proxies.values()) {
        // a worker's proxy learns the routes within a refresh (1 s); until then it answers 503 + Retry-After
        pollBody(p + "/hello?name=n", "hello n");
      }

      assertThat(send("PUT", api, config("HeadOnly")).statusCode()).isEqualTo(200);
      s = poll(api, x -> x.path("proxies").size() == 1);
      assertThat(proxies(s)).containsOnlyKeys(cluster.head().nodeId().value());
      String worker = proxies.get(cluster.worker(0).nodeId().value());
      pollRefused(worker + "/hello?name=n");
      assertThat(send("GET", proxies(s).values().iterator().next() + "/hello?name=h", null).body())
          .isEqualTo("hello h");

      assertThat(send("PUT", api, config("Disabled")).statusCode()).isEqualTo(200);
      s = poll(api, x -> x.path("proxies").isEmpty());
      assertThat(s.path("http_options").isNull()).isTrue();
      pollRefused(proxies.get(cluster.head().nodeId().value()) + "/hello?name=n");
    }
  }

  private void pollBody(String url, String expected) throws Exception {
    record Answer(int status, String body) {}
    Poll.upTo(Duration.ofSeconds(30)).every(Duration.ofMillis(100)).until(url + " answering '" + expected + "'", () -> {
      HttpResponse<String> r = send("GET", url, null);
      if (!r.body().equals(expected)) {
        assertThat(r.statusCode()).as("while the proxy learns its routes: " + r.body()).isIn(404, 503);
      }
      return new Answer(r.statusCode(), r.body());
    }, a -> a.body().equals(expected));
  }

  private static Map<String, String> proxies(JsonNode s) {
    Map<String, String> out = new HashMap<>();
    s.path("proxies").forEach(p -> out.put(p.path("node_id").asText(),
        "http://" + p.path("host").asText() + ":" + p.path("port").asInt()));
    return out;
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode poll(String url, Predicate<JsonNode> done) throws Exception {
    return Poll.upTo(Duration.ofSeconds(30)).every(Duration.ofMillis(100)).until("serve status at " + url,
        () -> Json.MAPPER.readTree(send("GET", url, null).body()), done);
  }

  /** Polls until nothing listens at {@code url} any more. */
  private void pollRefused(String url) throws Exception {
    Poll.upTo(Duration.ofSeconds(30)).every(Duration.ofMillis(100)).until("no proxy answering at " + url, () -> {
      try {
        send("GET", url, null);
        return false;
      } catch (ConnectException e) {
        return true;
      } catch (Exception e) {
        return e.getCause() instanceof ConnectException;
      }
    });
  }
}
