package io.troupe.runtime.rest;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.runtime.api.TroupeException;

/**
 * A node's own metrics endpoint ({@code NodeConfig.metricsPort}): only {@code GET /metrics}, without
 * a token (read-only, like Ray's metrics export port), so Prometheus can scrape worker nodes.
 */
public final class MetricsServer implements AutoCloseable {
  private final WebServer server;

  private MetricsServer(WebServer server) {
    this.server = server;
  }

  /** Starts on {@code host:port} (0: a free port); throws a {@link TroupeException} when it cannot bind. */
  public static MetricsServer start(String host, int port, NodeMetrics metrics) {
    HttpRouting.Builder routing = HttpRouting.builder();
    new MetricsRoute(metrics).accept(routing);
    try {
      return new MetricsServer(WebServer.builder().host(host).port(port).routing(routing).build().start());
    } catch (RuntimeException e) {
      Throwable t = e;
      while (t.getCause() != null) {
        t = t.getCause();
      }
      throw new TroupeException("cannot start the metrics server on " + host + ":" + port
          + (port != 0 ? " (port in use? pass --metrics-port)" : "") + ": " + t.getMessage());
    }
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
