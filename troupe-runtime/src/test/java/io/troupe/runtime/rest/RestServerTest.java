package io.troupe.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.runtime.api.TroupeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The REST server over a real socket: token enforcement and the refusal to expose it without one. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RestServerTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void nonLoopbackWithoutTokenIsRefused() {
    assertThatThrownBy(() -> RestServer.start("0.0.0.0", 0, null, List.of()))
        .isInstanceOf(TroupeException.class).hasMessageContaining("token");
  }

  @Test
  void tokenIsRequiredWhenSet() throws Exception {
    try (RestServer s = RestServer.start("0.0.0.0", 0, "s3cret",
        List.of(r -> r.get("/api/ping", (req, res) -> Json.ok(res, Map.of("ok", true)))))) {
      URI uri = URI.create("http://127.0.0.1:" + s.port() + "/api/ping");
      HttpResponse<String> denied = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(denied.statusCode()).isEqualTo(401);
      assertThat(denied.body()).contains("Bearer");
      HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer nope").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer s3cret").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"ok\"");
    }
  }

  @Test
  void loopbackNeedsNoToken() throws Exception {
    try (RestServer s = RestServer.start("127.0.0.1", 0, null,
        List.of(r -> r.get("/api/ping", (req, res) -> Json.ok(res, Map.of("ok", true)))))) {
      HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
          + "/api/ping")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
    }
  }
}
