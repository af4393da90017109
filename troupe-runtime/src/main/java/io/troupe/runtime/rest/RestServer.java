package io.troupe.runtime.rest;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.TroupeException;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The head's REST API server (Helidon SE, virtual threads). Routes come from contributors, so later
 * layers (placement groups, serving) add their endpoints without touching this class. When a token
 * is set, every request must carry {@code Authorization: Bearer <token>}.
 */
public final class RestServer implements AutoCloseable {
  /**
   * GET requests under this prefix need no token: the web dashboard's static files (troupe-dashboard), which hold
   * no data; the pages read everything from the API with the token.
   */
  public static final String PUBLIC_PREFIX = "/dashboard/";
  /** The public paths: {@code /}, {@code /dashboard}, and one file name (no path) under {@link #PUBLIC_PREFIX}. */
  private static final java.util.regex.Pattern PUBLIC_PATH =
      java.util.regex.Pattern.compile("/|/dashboard/?|/dashboard/[A-Za-z0-9_-]+(\\.[a-z]+)?");
  private final WebServer server;

  private RestServer(WebServer server) {
    this.server = server;
  }

  public static RestServer start(String host, int port, String token, List<Consumer<HttpRouting.Builder>> routes) {
    if (token == null && !isLoopback(host)) {
      throw new TroupeException("the REST API on " + host + " is reachable from other machines: give it a token "
          + "(--dashboard-token or TROUPE_DASHBOARD_TOKEN), or bind it to 127.0.0.1");
    }
    HttpRouting.Builder routing = HttpRouting.builder();
    if (token != null) {
      byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
      routing.addFilter((chain, req, res) -> {
        String path = req.path().path();
        if (req.prologue().method() == io.helidon.http.Method.GET
            && PUBLIC_PATH.matcher(path).matches()) {
          chain.proceed();
          return;
        }
        String got = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!MessageDigest.isEqual(expected, got.getBytes(StandardCharsets.UTF_8))) {
          Json.error(res, Status.UNAUTHORIZED_401, "missing or wrong token: send 'Authorization: Bearer <token>'");
          return;
        }
        chain.proceed();
      });
    }
    routes.forEach(r -> r.accept(routing));
    try {
      WebServer server = WebServer.builder().host(host).port(port).routing(routing).build().start();
      return new RestServer(server);
    } catch (RuntimeException e) {
      throw new TroupeException("cannot start the REST API on " + host + ":" + port
          + (port != 0 ? " (port in use? pass --dashboard-port)" : "") + ": " + rootMessage(e));
    }
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (Exception e) {
      return false;
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
