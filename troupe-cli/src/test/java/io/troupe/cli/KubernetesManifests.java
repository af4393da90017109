package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.troupe.runtime.api.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import picocli.CommandLine;

/**
 * Reads Kubernetes manifests (the files of {@code deploy/kubernetes} or {@code kubectl kustomize} output) and
 * answers what a pod would run: a container's environment as the kubelet resolves it (field and resource
 * references filled with sample values, {@code $(VAR)} expanded) and its {@code troupe start} arguments turned
 * into the {@link NodeConfig} the real CLI builds from them.
 */
final class KubernetesManifests {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Values the kubelet would fill in for field references. */
  static final Map<String, String> FIELDS = Map.of("metadata.name", "troupe-head-0", "metadata.namespace", "troupe",
      "status.podIP", "10.1.2.3");
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  final List<JsonNode> docs;

  KubernetesManifests(List<JsonNode> docs) {
    this.docs = docs;
  }

  /** The repository's {@code deploy/kubernetes}, from a module's working directory. */
  static Path folder() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no deploy/kubernetes above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("deploy/kubernetes");
  }

  /** Every document of a (multi-document) YAML text. */
  static KubernetesManifests parse(String yaml) {
    try {
      List<JsonNode> out = new ArrayList<>();
      try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
        while (it.hasNext()) {
          JsonNode d = it.next();
          if (d != null && !d.isNull() && !d.isEmpty()) {
            out.add(d);
          }
        }
      }
      return new KubernetesManifests(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The resources a kustomization lists, read from their files (no transformation). */
  static KubernetesManifests resourcesOf(Path kustomizationDir) throws IOException {
    JsonNode k = YAML.readTree(kustomizationDir.resolve("kustomization.yaml").toFile());
    StringBuilder all = new StringBuilder();
    for (JsonNode r : k.path("resources")) {
      all.append(Files.readString(kustomizationDir.resolve(r.asText()))).append("\n---\n");
    }
    return parse(all.toString());
  }

  JsonNode get(String kind, String name) {
    return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names()));
  }

  Optional<JsonNode> find(String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.path("metadata").path("name").asText().equals(name)).findFirst();
  }

  List<String> names() {
    return docs.stream().map(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText()).toList();
  }

  static JsonNode container(JsonNode workload, String name) {
    return StreamSupport.stream(workload.path("spec").path("template").path("spec").path("containers").spliterator(), false)
        .filter(c -> c.path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name + " in " + workload.path("metadata")));
  }

  /** A container's environment as the kubelet resolves it, with {@link #FIELDS} and {@code secret} for secrets. */
  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      JsonNode from = e.path("valueFrom");
      String value;
      if (e.has("value")) {
        value = expand(e.path("value").asText(), env);
      } else if (from.has("fieldRef")) {
        value = FIELDS.get(from.path("fieldRef").path("fieldPath").asText());
      } else if (from.has("resourceFieldRef")) {
        value = resource(container, from.path("resourceFieldRef"));
      } else if (from.has("secretKeyRef")) {
        value = "secret";
      } else {
        throw new AssertionError("env " + name + " has no value: " + e);
      }
      if (value == null) {
        throw new AssertionError("env " + name + " cannot be resolved: " + e);
      }
      env.put(name, value);
    }
    return env;
  }

  private static String resource(JsonNode container, JsonNode ref) {
    String[] path = ref.path("resource").asText().split("\\.", 2);
    JsonNode q = container.path("resources").path(path[0]).path(path[1]);
    if (q.isMissingNode()) {
      throw new AssertionError("resourceFieldRef " + ref + " names a resource the container does not set");
    }
    BigDecimal value = quantity(q.asText());
    BigDecimal divisor = ref.has("divisor") ? quantity(ref.path("divisor").asText()) : BigDecimal.ONE;
    return value.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
  }

  /** A Kubernetes quantity ("4", "500m", "16Gi", "1G") as a number. */
  static BigDecimal quantity(String q) {
    Matcher m = Pattern.compile("([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?").matcher(q.trim());
    if (!m.matches()) {
      throw new AssertionError("not a quantity: " + q);
    }
    BigDecimal n = new BigDecimal(m.group(1));
    String s = m.group(2) == null ? "" : m.group(2);
    return switch (s) {
      case "" -> n;
      case "m" -> n.movePointLeft(3);
      case "k" -> n.movePointRight(3);
      case "M" -> n.movePointRight(6);
      case "G" -> n.movePointRight(9);
      case "T" -> n.movePointRight(12);
      default -> n.multiply(BigDecimal.valueOf(1024).pow("KMGT".indexOf(s.charAt(0)) + 1));
    };
  }

  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      if (v == null) {
        throw new AssertionError("$(" + m.group(1) + ") in '" + s + "' is not defined before its use");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    return m.appendTail(out).toString();
  }

  /** The container's arguments with its environment expanded, as the kubelet passes them. */
  static List<String> args(JsonNode container) {
    Map<String, String> env = env(container);
    List<String> out = new ArrayList<>();
    container.path("args").forEach(a -> out.add(expand(a.asText(), env)));
    return out;
  }

  /** What the real CLI makes of a container's {@code troupe start ...} arguments (and its environment). */
  static NodeConfig startConfig(JsonNode container, Path home) {
    CliHarness harness = new CliHarness(home);
    harness.env.putAll(env(container));
    CommandLine cl = Main.commandLine(harness.context(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    CommandLine.ParseResult parsed = cl.parseArgs(args(container).toArray(String[]::new));
    StartCommand start = (StartCommand) parsed.subcommand().commandSpec().userObject();
    return start.toConfig();
  }

  /** The container port number behind a probe's (named or numbered) port. */
  static int probePort(JsonNode container, JsonNode probe) {
    JsonNode port = probe.path("httpGet").path("port");
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("probe port " + port + " is not a port of the container");
  }

  static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array instanceof ArrayNode a) {
      a.forEach(n -> out.add(n.asText()));
    }
    return out;
  }
}
