package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders placement groups from the REST API: {@code GET /api/placement_groups} as a table with one
 * row per group, and one group as a summary followed by a table of its bundles.
 */
final class PlacementGroupsView {
  private PlacementGroupsView() {}

  static String renderList(JsonNode groups) {
    List<JsonNode> all = StatusView.list(groups);
    if (all.isEmpty()) {
      return "(no placement groups)\n";
    }
    Table t = new Table("PLACEMENT_GROUP_ID", "NAME", "STATE", "STRATEGY", "EPOCH", "BUNDLES", "REASON");
    for (JsonNode g : all) {
      t.row(StatusView.text(g, "placement_group_id"), StatusView.text(g, "name"), StatusView.text(g, "state"),
          StatusView.text(g, "strategy"), StatusView.text(g, "epoch"), bundleNodes(g.path("bundles")),
          g.hasNonNull("reason") ? g.get("reason").asText() : "");
    }
    return t.render();
  }

  /**
   * For {@code troupe status}: every group's bundles, one row each — group, name, state, strategy, epoch, then the
   * bundle's index, node, GPU ids and resources (the group's columns only on its first row).
   */
  static String renderBundles(JsonNode groups) {
    List<JsonNode> all = StatusView.list(groups);
    if (all.isEmpty()) {
      return "Placement groups: none\n";
    }
    Table t = new Table("PLACEMENT_GROUP_ID", "NAME", "STATE", "STRATEGY", "EPOCH", "BUNDLE", "NODE_ID", "GPU_IDS",
        "RESOURCES");
    for (JsonNode g : all) {
      List<JsonNode> bundles = StatusView.list(g.path("bundles"));
      boolean first = true;
      for (JsonNode b : bundles.isEmpty() ? List.of(g.path("none")) : bundles) {
        t.row(first ? StatusView.text(g, "placement_group_id") : "", first ? StatusView.text(g, "name") : "",
            first ? StatusView.text(g, "state") : "", first ? StatusView.text(g, "strategy") : "",
            first ? StatusView.text(g, "epoch") : "", StatusView.text(b, "index"), StatusView.text(b, "node_id"),
            join(b.path("gpu_ids")), resources(b.path("resources")));
        first = false;
      }
    }
    StringBuilder restarts = new StringBuilder();
    for (JsonNode g : all) {
      if (g.hasNonNull("last_gang_restart")) {
        restarts.append("  ").append(StatusView.text(g, "placement_group_id")).append(": ")
            .append(lastRestart(g.get("last_gang_restart"))).append('\n');
      }
    }
    return "Placement groups:\n" + t.render() + (restarts.isEmpty() ? "" : "Last gang restarts:\n" + restarts);
  }

  /** {@code to epoch 1 at 2026-...Z after: node n died (lost bundle [1])}. */
  static String lastRestart(JsonNode r) {
    return "to epoch " + StatusView.text(r, "epoch") + " at " + StatusView.text(r, "at") + " after: "
        + StatusView.text(r, "cause");
  }

  /** {@code 0:node-a 1:node-b}; {@code -} for a bundle that is not reserved. */
  static String bundleNodes(JsonNode bundles) {
    List<String> parts = new ArrayList<>();
    for (JsonNode b : StatusView.list(bundles)) {
      parts.add(StatusView.text(b, "index") + ":" + StatusView.text(b, "node_id"));
    }
    return parts.isEmpty() ? "-" : String.join(" ", parts);
  }

  static String renderOne(JsonNode g) {
    StringBuilder sb = new StringBuilder();
    sb.append("Placement group ").append(StatusView.text(g, "placement_group_id"));
    if (g.hasNonNull("name")) {
      sb.append(" (").append(g.get("name").asText()).append(')');
    }
    sb.append('\n');
    sb.append("  state:     ").append(StatusView.text(g, "state")).append('\n');
    sb.append("  strategy:  ").append(StatusView.text(g, "strategy")).append('\n');
    sb.append("  epoch:     ").append(StatusView.text(g, "epoch")).append('\n');
    if (g.hasNonNull("reason")) {
      sb.append("  reason:    ").append(g.get("reason").asText()).append('\n');
    }
    if (g.hasNonNull("last_gang_restart")) {
      sb.append("  restarted: ").append(lastRestart(g.get("last_gang_restart"))).append('\n');
    }
    sb.append('\n');
    Table t = new Table("BUNDLE", "NODE_ID", "RESOURCES", "GPU_IDS", "LABEL_SELECTOR");
    for (JsonNode b : StatusView.list(g.path("bundles"))) {
      t.row(StatusView.text(b, "index"), StatusView.text(b, "node_id"), resources(b.path("resources")),
          join(b.path("gpu_ids")), labels(b.path("label_selector")));
    }
    sb.append(t.isEmpty() ? "(no bundles)\n" : t.render());
    return sb.toString();
  }

  /** {@code CPU 1, GPU 1, memory 2 GiB}. */
  static String resources(JsonNode r) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : r.properties()) {
      parts.add(e.getKey() + " " + StatusView.amount(e.getKey(), e.getValue().asDouble()));
    }
    return parts.isEmpty() ? "-" : String.join(", ", parts);
  }

  private static String join(JsonNode arr) {
    List<String> parts = new ArrayList<>();
    StatusView.list(arr).forEach(n -> parts.add(n.asText()));
    return parts.isEmpty() ? "-" : String.join(",", parts);
  }

  private static String labels(JsonNode sel) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : sel.properties()) {
      parts.add(e.getKey() + "=" + e.getValue().asText());
    }
    return parts.isEmpty() ? "-" : String.join(",", parts);
  }
}
