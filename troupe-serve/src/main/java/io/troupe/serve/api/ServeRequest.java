package io.troupe.serve.api;

import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request as the proxy hands it to an ingress deployment's {@code handle(ServeRequest)}.
 * Immutable (the body array is not copied: do not modify it); Serializable, so it crosses nodes.
 *
 * @param method upper-case HTTP method ("GET", "POST", ...)
 * @param path the full request path, e.g. {@code /hello/world}
 * @param routePrefix the application's route prefix that matched (e.g. {@code /hello}); "/" for the root
 * @param query the raw (still encoded) query string without '?', "" for none
 * @param headers header names in lower case, each with its values in arrival order
 * @param body the request body; empty for none
 */
public record ServeRequest(String method, String path, String routePrefix, String query,
    Map<String, List<String>> headers, byte[] body) implements Serializable {
  public ServeRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    routePrefix = routePrefix == null ? "/" : routePrefix;
    query = query == null ? "" : query;
    Map<String, List<String>> h = new LinkedHashMap<>();
    if (headers != null) {
      headers.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
    }
    headers = java.util.Collections.unmodifiableMap(h);
    body = body == null ? new byte[0] : body;
  }

  /** A GET of {@code path} with {@code query}, no headers (for tests and handle calls). */
  public static ServeRequest get(String path, String query) {
    return new ServeRequest("GET", path, "/", query, Map.of(), new byte[0]);
  }

  /** The first value of query parameter {@code name}, URL-decoded. */
  public Optional<String> queryParam(String name) {
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      if (k.equals(name)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** The first value of header {@code name} (any case). */
  public Optional<String> header(String name) {
    List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** The path below the route prefix, always starting with '/'. */
  public String subPath() {
    if (routePrefix.equals("/") || !path.startsWith(routePrefix)) {
      return path;
    }
    String rest = path.substring(routePrefix.length());
    return rest.isEmpty() ? "/" : rest;
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ServeRequest[" + method + " " + path + (query.isEmpty() ? "" : "?" + query) + ", " + body.length
        + " body bytes]";
  }
}
