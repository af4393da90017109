package io.troupe.serve.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.rest.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** HTTP helpers for multi-process serve tests: REST calls to the head, requests to proxies, polling. */
final class ServeHttp {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** One request to a proxy: its status (-1: no answer), body and latency. */
  record Answer(int status, String body, long nanos) {
  }

  HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", body.startsWith("{") ? "application/json" : "application/yaml");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  Answer get(String url) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = send("GET", url, null);
      return new Answer(r.statusCode(), r.body(), System.nanoTime() - start);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new Answer(-1, e.toString(), System.nanoTime() - start);
    }
  }

  /** The JSON at {@code url}, or an empty object when it does not answer 200. */
  JsonNode json(String url) {
    try {
      HttpResponse<String> r = send("GET", url, null);
      return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : Json.MAPPER.createObjectNode();
    } catch (Exception e) {
      return Json.MAPPER.createObjectNode();
    }
  }

  static <T> T poll(Supplier<T> get, Predicate<T> ok, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    T last = get.get();
    while (!ok.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in " + seconds + " s; last: " + last);
      }
      LockSupport.parkNanos(100_000_000L);
      last = get.get();
    }
    return last;
  }
}
