package io.troupe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small client of the head's REST API (JSON over HTTP, optional bearer token). Every failure is
 * a {@link CliException} whose message says what to do: no API at the URL, token refused, not
 * found, or an answer that is not JSON.
 */
final class RestClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final String baseUrl;
  private final String token;
  private final HttpClient http;

  RestClient(String baseUrl, String token) {
    this.baseUrl = normalize(baseUrl);
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  String baseUrl() {
    return baseUrl;
  }

  /** {@code host:8265} becomes {@code http://host:8265}; a trailing slash is dropped. */
  static String normalize(String url) {
    String u = url.strip();
    if (!u.contains("://")) {
      u = "http://" + u;
    }
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  /** GETs {@code path} and returns the parsed JSON body. */
  JsonNode get(String path) {
    String body = getRaw(path);
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new CliException("the REST API at " + baseUrl + " answered something that is not JSON; is "
          + baseUrl + " a Troupe head's REST API (--address)?");
    }
  }

  String getRaw(String path) {
    HttpResponse<String> resp = send("GET", path, null, TIMEOUT);
    int code = resp.statusCode();
    if (code == 404) {
      throw new CliException("not found: " + baseUrl + path + " (HTTP 404)");
    }
    if (code / 100 != 2) {
      String detail = errorOf(resp.body());
      throw new CliException("the REST API at " + baseUrl + " answered HTTP " + code
          + (detail.isEmpty() ? "" : ": " + detail));
    }
    return resp.body();
  }

  /** An answer of the API: its status and JSON body (a text node when an error answer is not JSON). */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** The server's {@code "error"} message, else a generic one naming the status. */
    String error() {
      JsonNode e = body.path("error");
      if (e.isTextual()) {
        return e.asText();
      }
      String text = body.isTextual() ? body.asText().strip().lines().findFirst().orElse("") : "";
      return "HTTP " + status + (text.isEmpty() ? "" : ": " + text);
    }
  }

  /**
   * Sends {@code method path} with an optional JSON body and returns the answer whatever its status,
   * except that no API at the URL, a refused token and a 2xx answer that is not JSON throw.
   */
  Answer call(String method, String path, String jsonBody, Duration timeout) {
    HttpResponse<String> resp = send(method, path, jsonBody, timeout);
    String body = resp.body() == null ? "" : resp.body();
    JsonNode node;
    try {
      node = body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      if (resp.statusCode() / 100 == 2) {
        throw new CliException("the REST API at " + baseUrl + " answered something that is not JSON; is "
            + baseUrl + " a Troupe head's REST API (--address)?");
      }
      node = JSON.getNodeFactory().textNode(body);
    }
    return new Answer(resp.statusCode(), node);
  }

  private HttpResponse<String> send(String method, String path, String jsonBody, Duration timeout) {
    HttpRequest.Builder req;
    try {
      req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
          .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(jsonBody))
          .header("Accept", "application/json");
    } catch (IllegalArgumentException e) {
      throw new CliException("'" + baseUrl + "' is not a URL; pass --address http://HOST:PORT", Main.EXIT_USAGE);
    }
    if (jsonBody != null) {
      req.header("Content-Type", "application/json");
    }
    if (token != null && !token.isBlank()) {
      req.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpConnectTimeoutException e) {
      throw unreachable();
    } catch (java.net.http.HttpTimeoutException e) {
      throw new CliException("the REST API at " + baseUrl + " did not answer within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw unreachable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    int code = resp.statusCode();
    if (code == 401 || code == 403) {
      throw new CliException("the REST API at " + baseUrl + " refused the request (HTTP " + code
          + "); pass the head's token with --token or TROUPE_DASHBOARD_TOKEN");
    }
    return resp;
  }

  /** The {@code "error"} of an error answer ({@code {"error": "..."}}), else its first line. */
  static String errorOf(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode e = JSON.readTree(body).path("error");
      if (e.isTextual()) {
        return e.asText();
      }
    } catch (JsonProcessingException notJson) {
      // fall through to the raw first line
    }
    return body.strip().lines().findFirst().orElse("");
  }

  CliException unreachable() {
    return new CliException("no Troupe REST API at " + baseUrl + " (is a head running? 'troupe start --head')");
  }
}
