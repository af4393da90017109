package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import io.troupe.serve.config.ApplicationConfig;
import io.troupe.serve.config.ServeConfig;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Renders the serve REST API's answers ({@code GET /api/serve/applications/}: applications →
 * deployments → replicas) and a deployed config as text. Pure: JSON in, text out; missing fields
 * show as "-".
 */
final class ServeView {
  private ServeView() {}

  /** Three tables: applications (status, route, URL), deployments (replicas by state), replicas (node). */
  static String renderStatus(JsonNode status) {
    JsonNode apps = status.path("applications");
    StringBuilder sb = new StringBuilder();
    String proxy = status.path("proxy_location").asText("-");
    JsonNode http = status.path("http_options");
    sb.append("Serve: proxy ").append(status.path("proxy_location").isNull() ? "-" : proxy);
    sb.append(http.isObject() ? ", HTTP on " + hostPort(http) : ", no HTTP proxy running").append('\n');
    if ("RESTORING".equals(status.path("controller_status").asText())) {
      sb.append("Controller: RESTORING its checkpoint after a head restart (replicas keep serving)\n");
    }
    JsonNode proxies = status.path("proxies");
    if (proxies.isObject() && proxies.size() > 1) {
      List<String> each = new ArrayList<>();
      proxies.properties().forEach(p -> each.add(p.getKey() + "=" + hostPort(p.getValue())));
      sb.append("Proxies: ").append(String.join(", ", each)).append('\n');
    }
    if (!apps.isObject() || apps.isEmpty()) {
      sb.append("\n(no serve applications; deploy one: troupe serve deploy examples/hello/serve.yaml)\n");
      return sb.toString();
    }
    Table at = new Table("APP", "STATUS", "ROUTE", "INGRESS", "URL", "MESSAGE");
    Table dt = new Table("DEPLOYMENT", "STATUS", "TARGET", "REPLICAS", "MESSAGE");
    Table rt = new Table("REPLICA", "DEPLOYMENT", "STATE", "NODE_ID", "PLACEMENT_GROUP");
    apps.properties().forEach(ae -> {
      JsonNode a = ae.getValue();
      String route = a.path("route_prefix").isTextual() ? a.path("route_prefix").asText() : null;
      at.row(ae.getKey(), text(a, "status"), route, text(a, "ingress_deployment"),
          route != null && http.isObject() ? url(http.path("host").asText(), http.path("port").asInt(), route) : null,
          blankToDash(a.path("message").asText("")));
      a.path("deployments").properties().forEach(de -> {
        JsonNode d = de.getValue();
        String qualified = ae.getKey() + "/" + de.getKey();
        Map<String, Integer> byState = new TreeMap<>();
        d.path("replicas").forEach(r -> {
          byState.merge(r.path("state").asText("?"), 1, Integer::sum);
          rt.row(text(r, "replica_id"), qualified, text(r, "state"), text(r, "node_id"), text(r, "placement_group_id"));
        });
        StringJoiner counts = new StringJoiner(", ");
        byState.forEach((s, n) -> counts.add(s + " " + n));
        dt.row(qualified, text(d, "status"), text(d, "target_num_replicas"),
            counts.length() == 0 ? "none" : counts.toString(), blankToDash(d.path("message").asText("")));
      });
    });
    sb.append('\n').append(at.render()).append('\n').append(dt.render());
    if (!rt.isEmpty()) {
      sb.append('\n').append(rt.render());
    }
    return sb.toString();
  }

  /** After a deploy: each application, its class and where to call it. */
  static String renderDeployed(ServeConfig config) {
    if (config.applications().isEmpty()) {
      return "(the config has no applications: every running application is being removed)\n";
    }
    Table t = new Table("APP", "IMPORT_PATH", "CALL IT");
    for (ApplicationConfig a : config.applications()) {
      t.row(a.name(), a.importPath(), a.routePrefix()
          .map(p -> "curl " + url(config.httpOptions().host(), config.httpOptions().port(), p))
          .orElse("(no route_prefix: not reachable over HTTP)"));
    }
    return t.render();
  }

  /** {@code http://host:port/prefix}; IPv6 hosts in brackets. */
  static String url(String host, int port, String routePrefix) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port + (routePrefix.equals("/") ? "/" : routePrefix);
  }

  private static String hostPort(JsonNode http) {
    return http.path("host").asText("-") + ":" + http.path("port").asText("-");
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isMissingNode() || v.isNull() ? "-" : v.asText();
  }

  private static String blankToDash(String s) {
    return s == null || s.isBlank() ? "-" : s.strip().lines().findFirst().orElse("-");
  }
}
