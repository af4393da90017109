package io.troupe.serve.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed YAML value with its path, and strict typed accessors that fail with
 * {@link ServeConfigException} naming the path. Immutable.
 */
record YamlNode(JsonNode node, String path) {

  boolean isNull() {
    return node == null || node.isNull() || node.isMissingNode();
  }

  /** Checks this is a map whose keys are all in {@code allowed}. */
  YamlNode map(Set<String> allowed) {
    if (!node.isObject()) {
      throw error("expected a map, got " + describe(node));
    }
    Iterator<String> it = node.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw child(k).error("unknown key; expected one of " + new TreeSet<>(allowed));
      }
    }
    return this;
  }

  YamlNode get(String key) {
    return child(key);
  }

  boolean has(String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  private YamlNode child(String key) {
    return new YamlNode(node.get(key), path.isEmpty() ? key : path + "." + key);
  }

  List<YamlNode> list() {
    if (!node.isArray()) {
      throw error("expected a list, got " + describe(node));
    }
    List<YamlNode> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(new YamlNode(node.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  String string() {
    if (!node.isTextual()) {
      throw error("expected a string, got " + describe(node));
    }
    return node.textValue();
  }

  int integer() {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw error("expected an integer, got " + describe(node));
    }
    return node.intValue();
  }

  long longValue() {
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw error("expected an integer, got " + describe(node));
    }
    return node.longValue();
  }

  double number() {
    if (!node.isNumber()) {
      throw error("expected a number, got " + describe(node));
    }
    return node.doubleValue();
  }

  Duration seconds() {
    double s = number();
    if (Double.isNaN(s) || Double.isInfinite(s)) {
      throw error("expected a finite number of seconds, got " + s);
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  /** Any JSON-like value as plain Java (maps, lists, strings, numbers, booleans, null). */
  Object plain() {
    if (isNull()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      node.fieldNames().forEachRemaining(k -> m.put(k, child(k).plain()));
      return m;
    }
    if (node.isArray()) {
      List<Object> l = new ArrayList<>();
      list().forEach(n -> l.add(n.plain()));
      return l;
    }
    if (node.isTextual()) return node.textValue();
    if (node.isBoolean()) return node.booleanValue();
    if (node.isIntegralNumber()) return node.canConvertToInt() ? (Object) node.intValue() : node.longValue();
    if (node.isNumber()) return node.doubleValue();
    throw error("unsupported value " + describe(node));
  }

  ServeConfigException error(String problem) {
    return new ServeConfigException(path, problem);
  }

  static String describe(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return "null";
    if (n.isTextual()) return "\"" + n.textValue() + "\"";
    if (n.isObject()) return "a map";
    if (n.isArray()) return "a list";
    return n.toString();
  }
}
