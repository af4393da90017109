package io.troupe.serve.api;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an ingress deployment's {@code handle(ServeRequest)} answers; the proxy writes it as the HTTP
 * response. Immutable (the body array is not copied); Serializable, so it crosses nodes.
 *
 * @param status HTTP status code
 * @param headers response headers (one value each)
 * @param body response body
 */
public record ServeResponse(int status, Map<String, String> headers, byte[] body) implements Serializable {
  public ServeResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("HTTP status must be 100..599, got " + status);
    }
    headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    body = body == null ? new byte[0] : body;
  }

  /** 200 with a UTF-8 text body. */
  public static ServeResponse ok(String text) {
    return text(200, text);
  }

  /** {@code status} with a UTF-8 text body. */
  public static ServeResponse text(int status, String text) {
    return new ServeResponse(status, Map.of("content-type", "text/plain; charset=utf-8"),
        text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code status} with a JSON body (already encoded). */
  public static ServeResponse json(int status, String json) {
    return new ServeResponse(status, Map.of("content-type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
  }

  /** The same response with one more header. */
  public ServeResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new ServeResponse(status, h, body);
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ServeResponse[" + status + ", " + body.length + " body bytes]";
  }
}
