package io.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScriptedRestServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void answersFromTheScriptAndRecordsEveryRequest() throws Exception {
    try (ScriptedRestServer server = ScriptedRestServer.start()) {
      server.answer("GET /api/x?verbose=1", 200, "{\"v\": 1}").answer("GET /api/x", 200, "{\"v\": 0}")
          .answer("PUT /api/y", 202, "");

      assertThat(send(server, "GET", "/api/x?verbose=1", null).body()).isEqualTo("{\"v\": 1}");
      assertThat(send(server, "GET", "/api/x?other=2", null).body()).isEqualTo("{\"v\": 0}");
      HttpResponse<String> put = send(server, "PUT", "/api/y", "body!");
      assertThat(put.statusCode()).isEqualTo(202);
      assertThat(put.body()).isEmpty();
      HttpResponse<String> missing = send(server, "DELETE", "/api/x", null);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).isEqualTo("{\"error\": \"not found\"}");
      server.otherwise(500, "{\"error\": \"boom\"}");
      assertThat(send(server, "GET", "/z", null).statusCode()).isEqualTo(500);

      assertThat(server.requestKeys()).containsExactly("GET /api/x?verbose=1", "GET /api/x?other=2", "PUT /api/y",
          "DELETE /api/x", "GET /z");
      assertThat(server.requests().get(2).body()).isEqualTo("body!");
    }
  }

  @Test
  void aRequiredBearerTokenIsChecked() throws Exception {
    try (ScriptedRestServer server = ScriptedRestServer.start()) {
      server.answer("GET /a", 200, "{}").requireBearer("s3cret");
      assertThat(send(server, "GET", "/a", null).statusCode()).isEqualTo(401);
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/a"))
          .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(server.requests()).extracting(ScriptedRestServer.Request::authorization)
          .containsExactly(null, "Bearer s3cret");
    }
  }

  private HttpResponse<String> send(ScriptedRestServer server, String method, String path, String body)
      throws Exception {
    HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
    return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).method(method, p).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
