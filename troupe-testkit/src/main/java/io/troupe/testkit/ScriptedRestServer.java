package io.troupe.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A REST server on a real socket (127.0.0.1, a free port) that answers from a script, for testing clients
 * (the CLI) without a cluster. Scripted answers are keyed {@code "METHOD /path?query"}; a request without a
 * scripted answer for its path and query is looked up as {@code "METHOD /path"}, then gets the fallback.
 * Every request is recorded.
 */
public final class ScriptedRestServer implements AutoCloseable {
  /** A request as received; {@code key} is {@code "METHOD /path"} plus {@code "?query"} when there is one. */
  public record Request(String method, String path, String query, String authorization, String body) {
    public String key() {
      return method + " " + path + (query == null ? "" : "?" + query);
    }
  }

  /** A status and a JSON body. */
  public record Answer(int status, String body) {}

  private final HttpServer server;
  private final Map<String, Answer> script = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Answer fallback = new Answer(404, "{\"error\": \"not found\"}");
  private volatile String bearerToken;

  private ScriptedRestServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
  }

  /** Starts a server; close it after the test. */
  public static ScriptedRestServer start() {
    try {
      ScriptedRestServer s = new ScriptedRestServer();
      s.server.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the scripted REST server", e);
    }
  }

  /** Answers {@code request} (e.g. {@code "PUT /api/serve/applications/"}) with {@code status} and {@code body}. */
  public ScriptedRestServer answer(String request, int status, String body) {
    script.put(request, new Answer(status, body));
    return this;
  }

  /** What requests without a scripted answer get (by default 404 {@code {"error": "not found"}}). */
  public ScriptedRestServer otherwise(int status, String body) {
    fallback = new Answer(status, body);
    return this;
  }

  /** Answers 401 {@code {"error": "unauthorized"}} unless a request carries this bearer token (null: no check). */
  public ScriptedRestServer requireBearer(String token) {
    bearerToken = token;
    return this;
  }

  /** http://127.0.0.1:port */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The requests received so far, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The keys ({@code "METHOD /path?query"}) of the requests received so far, in order. */
  public List<String> requestKeys() {
    return requests.stream().map(Request::key).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
          ex.getRequestHeaders().getFirst("Authorization"),
          new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      requests.add(r);
      String token = bearerToken;
      Answer a;
      if (token != null && !("Bearer " + token).equals(r.authorization())) {
        a = new Answer(401, "{\"error\": \"unauthorized\"}");
      } else {
        a = script.get(r.key());
        if (a == null) {
          a = script.getOrDefault(r.method() + " " + r.path(), fallback);
        }
      }
      byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(a.status(), b.length == 0 ? -1 : b.length);
      if (b.length > 0) {
        ex.getResponseBody().write(b);
      }
    }
  }
}
