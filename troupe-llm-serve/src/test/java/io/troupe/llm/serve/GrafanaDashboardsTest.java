package io.troupe.llm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard checker on its own: it finds the dashboards' queries and reports metrics, labels and variables
 * that do not exist. The check against a real node's {@code /metrics} is in
 * {@link LlmRoutingAndMetricsEndToEndTest#everyMetricAndLabelTheGrafanaDashboardsQueryIsExported}.
 */
@Timeout(30)
class GrafanaDashboardsTest {
  private static final String EXPOSITION = """
      # HELP troupe_serve_num_http_requests_total HTTP requests answered by the proxy
      # TYPE troupe_serve_num_http_requests_total counter
      troupe_serve_num_http_requests_total{application="hello",method="GET",node="head-1",route="/hello",status_code="200"} 3.0
      troupe_serve_http_request_latency_ms_bucket{application="hello",le="5.0",node="head-1"} 1.0
      troupe_node_actors_alive{node="head-1"} 2.0
      """;

  @Test
  void readsSamplesWithTheirLabelNames() {
    Map<String, Set<String>> e = GrafanaDashboards.exposition(EXPOSITION);
    assertThat(e).containsOnlyKeys("troupe_serve_num_http_requests_total", "troupe_serve_http_request_latency_ms_bucket",
        "troupe_node_actors_alive");
    assertThat(e.get("troupe_serve_num_http_requests_total"))
        .containsExactlyInAnyOrder("application", "method", "node", "route", "status_code");
  }

  @Test
  void reportsAMetricThatIsNotExportedALabelItLacksAndAnUndefinedVariable(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("d.json"), """
        {"templating": {"list": [
           {"name": "app", "type": "query", "query": {"query": "label_values(troupe_serve_num_http_requests_total, application)"}},
           {"name": "bad", "type": "query", "query": "label_values(troupe_node_actors_alive, zone)"}]},
         "panels": [
           {"title": "fine", "targets": [{"refId": "A",
              "expr": "histogram_quantile(0.9, sum by (application, le) (rate(troupe_serve_http_request_latency_ms_bucket{application=~\\"$app\\"}[$__rate_interval])))"}]},
           {"type": "row", "panels": [{"title": "nested", "targets": [{"refId": "A", "expr": "troupe_serve_requests_total"}]}]},
           {"title": "labels", "targets": [{"refId": "B", "expr": "sum by (deployment) (troupe_node_actors_alive{node=\\"$nodes\\"})"}]}
         ]}
        """);
    var problems = GrafanaDashboards.problems(GrafanaDashboards.queries(dir), GrafanaDashboards.exposition(EXPOSITION));
    assertThat(problems).hasSize(4);
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("variable bad").contains("label zone"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("'nested'").contains("troupe_serve_requests_total is not exported"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("'labels' B").contains("label deployment"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("variable $nodes is not defined"));
  }

  @Test
  void theShippedDashboardsHaveQueries() {
    var queries = GrafanaDashboards.queries(GrafanaDashboards.folder());
    assertThat(queries).extracting(q -> q.where().substring(0, q.where().indexOf(' '))).contains(
        "troupe-cluster.json", "troupe-serve.json", "troupe-llm.json");
    assertThat(queries).allSatisfy(q -> assertThat(q.expr()).contains("troupe_"));
  }
}
