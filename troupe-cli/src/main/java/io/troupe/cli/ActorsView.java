package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** Renders {@code GET /api/actors} as a table and {@code GET /api/actors/{id}} as key: value lines. */
final class ActorsView {
  private ActorsView() {}

  static String renderList(JsonNode actors) {
    JsonNode arr = actors.isArray() ? actors : actors.path("actors");
    if (!arr.isArray() || arr.isEmpty()) {
      return "(no actors)\n";
    }
    Table t = new Table("ACTOR_ID", "CLASS", "NAME", "STATE", "NODE_ID", "RESTARTS", "DEATH_CAUSE");
    for (JsonNode a : arr) {
      t.row(StatusView.text(a, "actor_id"), StatusView.text(a, "class_name"), StatusView.text(a, "name"),
          StatusView.text(a, "state"), StatusView.text(a, "node_id"), StatusView.text(a, "num_restarts"),
          a.hasNonNull("death_cause") ? a.get("death_cause").asText() : "");
    }
    return t.render();
  }

  static String renderOne(JsonNode actor) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, JsonNode> e : actor.properties()) {
      JsonNode v = e.getValue();
      sb.append(e.getKey()).append(": ").append(v.isValueNode() ? v.asText() : v.toString()).append('\n');
    }
    return sb.toString();
  }
}
