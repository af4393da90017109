package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Renders {@code GET /api/cluster/status} as text: a summary line, the node table (resources as
 * used/total), dead nodes' reasons, each alive node's Prometheus {@code /metrics} URL, then pending and
 * infeasible demands. Pure: JSON in, text out;
 * missing fields show as "-" rather than failing.
 */
final class StatusView {
  private StatusView() {}

  static String render(JsonNode status) {
    List<JsonNode> nodes = list(status.path("nodes"));
    long alive = nodes.stream().filter(n -> "ALIVE".equals(n.path("state").asText())).count();
    StringBuilder sb = new StringBuilder();
    Map<String, double[]> totals = new TreeMap<>();
    for (JsonNode n : nodes) {
      if ("ALIVE".equals(n.path("state").asText())) {
        n.path("resources_total").properties().forEach(e -> {
          double[] t = totals.computeIfAbsent(e.getKey(), k -> new double[2]);
          t[1] += e.getValue().asDouble();
          t[0] += e.getValue().asDouble() - n.path("resources_available").path(e.getKey()).asDouble(0);
        });
      }
    }
    sb.append("Cluster: ").append(alive).append(alive == 1 ? " node" : " nodes").append(" alive");
    if (nodes.size() > alive) {
      sb.append(", ").append(nodes.size() - alive).append(" dead");
    }
    StringJoiner used = new StringJoiner(", ", " | used: ", "");
    totals.forEach((name, t) -> used.add(name + " " + amount(name, t[0]) + "/" + amount(name, t[1])));
    if (!totals.isEmpty()) {
      sb.append(used);
    }
    sb.append("\n\n");

    Table t = new Table("NODE_ID", "ADDRESS", "STATE", "HEAD", "CPU", "GPU", "MEMORY", "OTHER", "LABELS");
    List<String> deaths = new ArrayList<>();
    List<String> metrics = new ArrayList<>();
    for (JsonNode n : nodes) {
      JsonNode total = n.path("resources_total");
      JsonNode avail = n.path("resources_available");
      StringJoiner other = new StringJoiner(",");
      total.properties().forEach(e -> {
        if (!List.of("CPU", "GPU", "memory").contains(e.getKey())) {
          other.add(e.getKey() + " " + usedOfTotal(e.getKey(), total, avail));
        }
      });
      StringJoiner labels = new StringJoiner(",");
      n.path("labels").properties().forEach(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
      t.row(text(n, "node_id"), text(n, "address"), text(n, "state"),
          n.path("is_head").asBoolean() ? "yes" : "",
          usedOfTotal("CPU", total, avail), usedOfTotal("GPU", total, avail), usedOfTotal("memory", total, avail),
          other.length() == 0 ? "" : other.toString(), labels.length() == 0 ? "" : labels.toString());
      if ("ALIVE".equals(n.path("state").asText())) {
        metrics.add("  " + text(n, "node_id") + ": " + (n.hasNonNull("metrics_url") ? n.get("metrics_url").asText()
            : "none (start the node with --metrics-port to serve them)"));
      }
      if (n.hasNonNull("death_reason")) {
        deaths.add("  " + text(n, "node_id") + ": " + n.get("death_reason").asText());
      }
    }
    sb.append(nodes.isEmpty() ? "(no nodes)\n" : t.render());
    if (!deaths.isEmpty()) {
      sb.append("\nDead nodes:\n");
      deaths.forEach(d -> sb.append(d).append('\n'));
    }
    if (!metrics.isEmpty()) {
      sb.append("\nMetrics (Prometheus; all of them: GET /api/prometheus/sd):\n");
      metrics.forEach(m -> sb.append(m).append('\n'));
    }
    demands(sb, "Pending demands", status.path("pending_demands"));
    demands(sb, "Infeasible demands", status.path("infeasible_demands"));
    return sb.toString();
  }

  private static void demands(StringBuilder sb, String title, JsonNode arr) {
    List<JsonNode> ds = list(arr);
    sb.append('\n').append(title).append(':');
    if (ds.isEmpty()) {
      sb.append(" none\n");
      return;
    }
    sb.append('\n');
    Table t = new Table("KIND", "COUNT", "RESOURCES", "REASON");
    for (JsonNode d : ds) {
      StringJoiner res = new StringJoiner(", ", "{", "}");
      d.path("resources").properties().forEach(e -> res.add(e.getKey() + ": " + amount(e.getKey(), e.getValue().asDouble())));
      t.row(text(d, "kind"), text(d, "count"), res.toString(), text(d, "reason"));
    }
    sb.append(t.render());
  }

  /** {@code 1/4} for a quantity, {@code 2 GiB/8 GiB} for memory, "-" when the node has none. */
  static String usedOfTotal(String name, JsonNode total, JsonNode avail) {
    if (!total.has(name)) {
      return "-";
    }
    double tot = total.get(name).asDouble();
    double used = tot - avail.path(name).asDouble(0);
    return amount(name, used) + "/" + amount(name, tot);
  }

  static String amount(String name, double q) {
    return name.equals("memory") ? OptionParsers.formatBytes(q) : OptionParsers.formatQuantity(q);
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "-" : v.asText();
  }

  static List<JsonNode> list(JsonNode arr) {
    List<JsonNode> out = new ArrayList<>();
    if (arr != null && arr.isArray()) {
      arr.forEach(out::add);
    }
    return out;
  }
}
