package io.troupe.llm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the Grafana dashboards under {@code deploy/grafana/} against a Prometheus exposition scraped from a
 * real node: every {@code troupe_*} metric a panel or a template variable queries must be a series the node
 * exports, every label a query selects or groups by must be on one of the query's metrics, and every
 * {@code $variable} must be defined by the dashboard.
 */
final class GrafanaDashboards {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern METRIC = Pattern.compile("\\btroupe_[a-z0-9_]+\\b");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([a-zA-Z_][a-zA-Z0-9_]*)");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+\\S+.*$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

  private GrafanaDashboards() {
  }

  /** One PromQL query of a dashboard, with where it sits (for the message) and the variables the dashboard defines. */
  record Query(String where, String expr, Set<String> variables) {
  }

  /** The repository's dashboards folder, from a module's working directory. */
  static Path folder() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/grafana"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no deploy/grafana above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("deploy/grafana");
  }

  /** Every query of every {@code *.json} dashboard in {@code folder}. */
  static List<Query> queries(Path folder) {
    List<Query> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonNode dash = JSON.readTree(file.toFile());
        Set<String> vars = new TreeSet<>(Set.of("__rate_interval", "__interval", "__range"));
        dash.path("templating").path("list").forEach(v -> vars.add(v.path("name").asText()));
        String name = file.getFileName().toString();
        dash.path("templating").path("list").forEach(v -> {
          JsonNode q = v.path("query");
          String text = q.isObject() ? q.path("query").asText() : q.asText();
          if (v.path("type").asText().equals("query")) {
            out.add(new Query(name + " variable " + v.path("name").asText(), text, vars));
          }
        });
        collectPanels(dash.path("panels"), name, vars, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void collectPanels(JsonNode panels, String file, Set<String> vars, List<Query> out) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        out.add(new Query(file + " panel '" + p.path("title").asText() + "' " + t.path("refId").asText(),
            t.path("expr").asText(), vars));
      }
      collectPanels(p.path("panels"), file, vars, out);
    }
  }

  /** Sample names of a Prometheus text exposition, each with the label names seen on its samples. */
  static Map<String, Set<String>> exposition(String text) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches()) {
        continue;
      }
      Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
    }
    return out;
  }

  /** What is wrong with {@code queries} against the exported series; empty when every query can be answered. */
  static List<String> problems(List<Query> queries, Map<String, Set<String>> exported) {
    List<String> out = new ArrayList<>();
    for (Query q : queries) {
      if (q.expr().isBlank()) {
        out.add(q.where() + ": empty query");
        continue;
      }
      Set<String> metrics = new LinkedHashSet<>();
      Matcher m = METRIC.matcher(q.expr());
      while (m.find()) {
        metrics.add(m.group());
      }
      if (metrics.isEmpty()) {
        out.add(q.where() + ": queries no troupe_ metric: " + q.expr());
      }
      Set<String> labels = new TreeSet<>();
      for (String metric : metrics) {
        if (!exported.containsKey(metric)) {
          out.add(q.where() + ": metric " + metric + " is not exported (exported troupe_ series: "
              + exported.keySet().stream().filter(k -> k.startsWith("troupe_")).toList() + ")");
        } else {
          labels.addAll(exported.get(metric));
        }
      }
      Set<String> used = new TreeSet<>();
      Matcher mm = MATCHER.matcher(q.expr());
      while (mm.find()) {
        used.add(mm.group(1));
      }
      Matcher g = GROUPING.matcher(q.expr());
      while (g.find()) {
        for (String l : g.group(1).split(",")) {
          if (!l.isBlank()) {
            used.add(l.strip());
          }
        }
      }
      Matcher lv = LABEL_VALUES.matcher(q.expr());
      if (lv.matches()) {
        used.add(lv.group(2));
      }
      if (metrics.stream().allMatch(exported::containsKey)) {
        for (String l : used) {
          if (!labels.contains(l)) {
            out.add(q.where() + ": label " + l + " is on none of " + metrics + " (labels: " + labels + ")");
          }
        }
      }
      Matcher v = VARIABLE.matcher(q.expr());
      while (v.find()) {
        if (!q.variables().contains(v.group(1))) {
          out.add(q.where() + ": variable $" + v.group(1) + " is not defined by the dashboard");
        }
      }
    }
    return out;
  }
}
