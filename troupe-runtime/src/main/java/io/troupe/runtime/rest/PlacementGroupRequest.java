package io.troupe.runtime.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /api/placement_groups}, parsed and checked field by field. Shape checks
 * (unknown fields, wrong types, bad quantities, unknown strategy) throw {@link BadRequest} naming the
 * field; semantic checks (no bundles, an all-zero bundle, a duplicate name) are left to the control
 * service, which refuses with a {@code PlacementGroupException} before anything is reserved.
 *
 * @param spec   the group to create; its owner is left empty, so the client fills in its own node
 * @param waitS  seconds to wait for CREATED before answering, if asked
 */
record PlacementGroupRequest(PlacementGroupSpec spec, Optional<Double> waitS) {
  /** The longest {@code wait_s} accepted: one request should not hold a connection for longer. */
  static final double MAX_WAIT_S = 300;

  static final Set<String> FIELDS = Set.of("bundles", "strategy", "name", "lifetime", "gang", "wait_s");
  static final Set<String> BUNDLE_FIELDS = Set.of("resources", "label_selector");
  static final Set<String> GANG_FIELDS = Set.of("max_restarts", "initial_backoff_s", "max_backoff_s");

  /** Accepts {@code NaN}/{@code Infinity} so that they are refused with a message about the quantity. */
  private static final ObjectReader READER = Json.MAPPER.reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

  static PlacementGroupRequest parse(String body) {
    JsonNode root;
    try {
      root = READER.readTree(body == null ? "" : body);
    } catch (JsonProcessingException e) {
      throw new BadRequest("malformed JSON in the request body: " + e.getOriginalMessage()
          + "; send an object like {\"bundles\": [{\"CPU\": 1}], \"strategy\": \"PACK\"}");
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw new BadRequest("the request body must be a JSON object like "
          + "{\"bundles\": [{\"CPU\": 1}], \"strategy\": \"PACK\"}");
    }
    checkFields(root, FIELDS, "");
    PlacementGroupSpec.Builder b = PlacementGroupSpec.builder().bundles(bundles(root.get("bundles")));
    JsonNode strategy = root.get("strategy");
    if (strategy != null && !strategy.isNull()) {
      try {
        b.strategy(PlacementStrategy.parse(text(strategy, "strategy")));
      } catch (IllegalArgumentException e) {
        throw new BadRequest(e.getMessage());
      }
    }
    JsonNode name = root.get("name");
    if (name != null && !name.isNull()) {
      String n = text(name, "name");
      if (n.isBlank()) {
        throw new BadRequest("'name' is blank; give a name or leave the field out");
      }
      b.name(n);
    }
    JsonNode lifetime = root.get("lifetime");
    if (lifetime != null && !lifetime.isNull()) {
      String l = text(lifetime, "lifetime");
      if (!l.equalsIgnoreCase("detached")) {
        throw new BadRequest("'lifetime' must be \"detached\" or left out, got \"" + l + "\"");
      }
      b.detached();
    }
    gang(root.get("gang")).ifPresent(b::gang);
    return new PlacementGroupRequest(b.build(), waitS(root.get("wait_s")));
  }

  private static List<Bundle> bundles(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new BadRequest("'bundles' is missing; give a list of resource maps, e.g. [{\"CPU\": 1, \"GPU\": 1}]");
    }
    if (!node.isArray()) {
      throw new BadRequest("'bundles' must be a list of resource maps, e.g. [{\"CPU\": 1, \"GPU\": 1}]");
    }
    List<Bundle> out = new java.util.ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(bundle(node.get(i), "bundles[" + i + "]"));
    }
    return out;
  }

  /** {@code {"CPU": 1}} or {@code {"resources": {"CPU": 1}, "label_selector": {"zone": "a"}}}. */
  private static Bundle bundle(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new BadRequest(where + " must be an object of resource name to quantity, e.g. {\"CPU\": 1}");
    }
    if (node.has("resources") && node.get("resources").isObject()) {
      checkFields(node, BUNDLE_FIELDS, where + ".");
      Bundle b = Bundle.of(resources(node.get("resources"), where + ".resources"));
      JsonNode sel = node.get("label_selector");
      return sel == null || sel.isNull() ? b : b.withLabels(labels(sel, where + ".label_selector"));
    }
    return Bundle.of(resources(node, where));
  }

  private static ResourceSet resources(JsonNode node, String where) {
    Map<String, Double> q = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isNumber()) {
        throw new BadRequest(where + ": resource '" + e.getKey() + "' must be a number >= 0, got " + e.getValue());
      }
      q.put(e.getKey(), e.getValue().doubleValue());
    }
    try {
      return ResourceSet.of(q);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(where + ": " + e.getMessage());
    }
  }

  private static Map<String, String> labels(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new BadRequest(where + " must be an object of label to value, e.g. {\"zone\": \"a\"}");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      out.put(e.getKey(), text(e.getValue(), where + "." + e.getKey()));
    }
    return out;
  }

  /** {@code true} → {@link GangPolicy#DEFAULT}; {@code false}/absent → none; an object overrides the defaults. */
  private static Optional<GangPolicy> gang(JsonNode node) {
    if (node == null || node.isNull() || (node.isBoolean() && !node.booleanValue())) {
      return Optional.empty();
    }
    if (node.isBoolean()) {
      return Optional.of(GangPolicy.DEFAULT);
    }
    if (!node.isObject()) {
      throw new BadRequest("'gang' must be true or an object like "
          + "{\"max_restarts\": 3, \"initial_backoff_s\": 1, \"max_backoff_s\": 30}");
    }
    checkFields(node, GANG_FIELDS, "gang.");
    GangPolicy d = GangPolicy.DEFAULT;
    JsonNode mr = node.get("max_restarts");
    if (mr != null && !mr.isNull() && !(mr.isIntegralNumber() && mr.canConvertToInt())) {
      throw new BadRequest("'gang.max_restarts' must be a whole number >= 0, got " + mr);
    }
    int maxRestarts = mr == null || mr.isNull() ? d.maxRestarts() : mr.intValue();
    Duration initial = seconds(node.get("initial_backoff_s"), "gang.initial_backoff_s", d.initialBackoff());
    Duration max = seconds(node.get("max_backoff_s"), "gang.max_backoff_s", d.maxBackoff());
    try {
      return Optional.of(new GangPolicy(maxRestarts, initial, max));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("'gang': " + e.getMessage());
    }
  }

  private static Duration seconds(JsonNode node, String field, Duration dflt) {
    if (node == null || node.isNull()) {
      return dflt;
    }
    double s = number(node, field);
    if (s < 0 || s > 86_400) {
      throw new BadRequest("'" + field + "' must be between 0 and 86400 seconds, got " + s);
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  private static Optional<Double> waitS(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    double s = number(node, "wait_s");
    if (s < 0 || s > MAX_WAIT_S) {
      throw new BadRequest("'wait_s' must be between 0 and " + (int) MAX_WAIT_S + " seconds, got " + s);
    }
    return Optional.of(s);
  }

  private static double number(JsonNode node, String field) {
    if (!node.isNumber() || Double.isNaN(node.doubleValue()) || Double.isInfinite(node.doubleValue())) {
      throw new BadRequest("'" + field + "' must be a finite number, got " + node);
    }
    return node.doubleValue();
  }

  private static String text(JsonNode node, String field) {
    if (!node.isTextual()) {
      throw new BadRequest("'" + field + "' must be a string, got " + node);
    }
    return node.asText();
  }

  private static void checkFields(JsonNode obj, Set<String> known, String prefix) {
    for (String f : (Iterable<String>) obj::fieldNames) {
      if (!known.contains(f)) {
        throw new BadRequest("unknown field '" + prefix + f + "'; known fields: "
            + known.stream().sorted().map(k -> prefix + k).toList());
      }
    }
  }
}
