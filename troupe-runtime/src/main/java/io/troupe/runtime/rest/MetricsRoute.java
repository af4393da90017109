package io.troupe.runtime.rest;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.NodeMetrics;
import java.util.function.Consumer;

/** {@code GET /metrics}: the node's {@link NodeMetrics} in the Prometheus text format. */
public final class MetricsRoute implements Consumer<HttpRouting.Builder> {
  public static final String PATH = "/metrics";
  private final NodeMetrics metrics;

  public MetricsRoute(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void accept(HttpRouting.Builder routing) {
    routing.get(PATH, (req, res) -> {
      res.header(HeaderNames.CONTENT_TYPE, NodeMetrics.CONTENT_TYPE);
      res.send(metrics.scrape());
    });
  }
}
