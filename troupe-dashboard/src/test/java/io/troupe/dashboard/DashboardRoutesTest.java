package io.troupe.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.rest.RestServer;
import io.troupe.runtime.spi.NodeExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over a real socket, on a REST server with a token: the dashboard's static files need no token (they hold no
 * data), everything else still does, and only the dashboard's own file names are served.
 */
@Timeout(30)
class DashboardRoutesTest {
  static RestServer server;
  static String base;
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() {
    List<Consumer<io.helidon.webserver.http.HttpRouting.Builder>> routes = new ArrayList<>(DashboardExtension.create()
        .attach(new NodeExtension.Node(new NodeId("head-test"), true, null)).restRoutes());
    routes.add(r -> r.get("/api/secret", (req, res) -> res.send("data")));
    server = RestServer.start("127.0.0.1", 0, "tok", routes);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void staticFilesArePublicAndTheApiIsNot() throws Exception {
    HttpResponse<String> index = get("/dashboard/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("<script src=\"app.js\">");
    assertThat(index.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(get("/dashboard/app.js", null).body()).contains("Authorization");
    assertThat(get("/dashboard/style.css", null).headers().firstValue("content-type").orElse("")).startsWith("text/css");
    HttpResponse<String> root = get("/", null);
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("location")).hasValue("/dashboard/");

    assertThat(get("/api/secret", null).statusCode()).isEqualTo(401);
    assertThat(get("/api/secret", "tok").body()).isEqualTo("data");
    assertThat(get("/dashboard/../api/secret", null).statusCode()).isIn(400, 401, 404);
    assertThat(get("/dashboard/%2e%2e/api/secret", null).statusCode()).isIn(400, 401, 404);
    assertThat(get("/dashboard/other.html", null).statusCode()).isEqualTo(404);
    assertThat(get("/dashboard/a/b.js", null).statusCode()).isIn(401, 404);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
