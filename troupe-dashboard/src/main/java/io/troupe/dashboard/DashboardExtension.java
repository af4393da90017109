package io.troupe.dashboard;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.rest.RestServer;
import io.troupe.runtime.spi.NodeExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The web dashboard: static pages served by the head under {@link RestServer#PUBLIC_PREFIX} on its REST API port
 * ({@code GET /} redirects there). The pages hold no data: their script reads everything from the REST API with the
 * same bearer token (asked for on the page, or given in the URL fragment {@code #token=...}, which browsers never
 * send to the server). No server logic of its own; workers get nothing.
 */
public final class DashboardExtension implements NodeExtension {
  /** The files served, with their content types (nothing else under the prefix exists). */
  static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "charts.js", "text/javascript; charset=utf-8",
      "style.css", "text/css; charset=utf-8");

  public static DashboardExtension create() {
    return new DashboardExtension();
  }

  @Override
  public String name() {
    return "dashboard";
  }

  @Override
  public Attachment attach(Node node) {
    Consumer<HttpRouting.Builder> routes = r -> {
      r.get("/", (req, res) -> res.status(Status.FOUND_302).header(HeaderNames.LOCATION, RestServer.PUBLIC_PREFIX).send());
      r.get("/dashboard", (req, res) ->
          res.status(Status.FOUND_302).header(HeaderNames.LOCATION, RestServer.PUBLIC_PREFIX).send());
      r.get(RestServer.PUBLIC_PREFIX + "{file}", (req, res) -> send(res, req.path().pathParameters().get("file")));
      r.get(RestServer.PUBLIC_PREFIX, (req, res) -> send(res, "index.html"));
    };
    return new Attachment() {
      @Override
      public List<Consumer<HttpRouting.Builder>> restRoutes() {
        return List.of(routes);
      }

      @Override
      public void close() {
      }
    };
  }

  private static void send(io.helidon.webserver.http.ServerResponse res, String file) {
    String type = FILES.get(file);
    if (type == null) {
      res.status(Status.NOT_FOUND_404).send("no dashboard file " + file);
      return;
    }
    try (InputStream in = DashboardExtension.class.getResourceAsStream("static/" + file)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file " + file + " missing from the troupe-dashboard jar");
      }
      res.header(HeaderNames.CONTENT_TYPE, type);
      res.header(HeaderNames.CACHE_CONTROL, "no-cache");
      res.send(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
