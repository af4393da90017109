package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** The autoscaler section of {@code troupe status}, from {@code GET /api/autoscaler}. */
final class AutoscalerView {
  static final String PATH = "/api/autoscaler";

  private AutoscalerView() {
  }

  /** Empty when the head runs no autoscaler. */
  static String render(JsonNode s) {
    if (s == null || s.path("enabled").isBoolean() && !s.path("enabled").asBoolean() || !s.has("nodes")) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\nAutoscaler (cluster " + s.path("cluster_name").asText() + ", "
        + s.path("provider").asText() + " provider):\n");
    if (s.path("nodes").isEmpty()) {
      sb.append("  no launched nodes\n");
    } else {
      Table t = new Table("LAUNCH", "TYPE", "STATE", "NODE", "PROVIDER ID", "FOR");
      for (JsonNode n : s.path("nodes")) {
        String state = n.path("state").asText();
        String since = state.equals("IDLE") ? "idle " + secs(n.path("idle_s").asDouble())
            : secs(n.path("for_s").asDouble());
        t.row(n.path("launch_id").asText(), n.path("node_type").asText(), state, orDash(n.path("node_id")),
            orDash(n.path("provider_node_id")), since);
      }
      t.render().lines().forEach(l -> sb.append("  ").append(l).append('\n'));
    }
    for (JsonNode f : s.path("failures")) {
      sb.append("  failed: ").append(f.path("what").asText()).append(" of a ").append(f.path("node_type").asText())
          .append(" node at ").append(Instant.ofEpochMilli(f.path("at_ms").asLong())).append(" (attempt ")
          .append(f.path("attempts").asInt()).append(", retry after ").append(secs(f.path("retry_in_s").asDouble()))
          .append("): ").append(f.path("reason").asText()).append('\n');
    }
    for (JsonNode u : s.path("infeasible")) {
      sb.append("  infeasible: ").append(u.path("demand").asText()).append(": ").append(u.path("reason").asText())
          .append('\n');
    }
    for (JsonNode u : s.path("at_limit")) {
      sb.append("  waiting (limit): ").append(u.path("demand").asText()).append(": ")
          .append(u.path("reason").asText()).append('\n');
    }
    return sb.toString();
  }

  private static String orDash(JsonNode n) {
    return n.isNull() || n.isMissingNode() || n.asText().isEmpty() ? "-" : n.asText();
  }

  private static String secs(double s) {
    return s < 120 ? Math.round(s) + "s" : Math.round(s / 60) + "m";
  }
}
