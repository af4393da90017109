package io.troupe.serve.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses a serve config (YAML or JSON) strictly: unknown keys, wrong types, duplicate keys, invalid
 * values, bad route prefixes and duplicate names or prefixes are rejected with a
 * {@link ServeConfigException} that names the offending key's path. Stateless and thread-safe.
 */
public final class ServeConfigParser {
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final Set<String> TOP = Set.of("proxy_location", "http_options", "applications");
  private static final Set<String> HTTP = Set.of("host", "port", "request_timeout_s");
  private static final Set<String> APP = Set.of("name", "route_prefix", "import_path", "args", "deployments");

  private ServeConfigParser() {
  }

  public static ServeConfig parse(String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new ServeConfigException("", "not valid YAML: " + e.getOriginalMessage());
    }
    YamlNode doc = new YamlNode(root, "");
    if (doc.isNull()) {
      throw new ServeConfigException("", "the config is empty");
    }
    doc.map(TOP);
    ProxyLocation proxy = doc.has("proxy_location")
        ? ProxyLocation.parse(doc.get("proxy_location").string(), "proxy_location") : ProxyLocation.EveryNode;
    HttpOptions http = doc.has("http_options") ? http(doc.get("http_options")) : HttpOptions.DEFAULT;
    List<ApplicationConfig> apps = new ArrayList<>();
    if (doc.has("applications")) {
      Map<String, String> names = new HashMap<>();
      Map<String, String> prefixes = new HashMap<>();
      for (YamlNode a : doc.get("applications").list()) {
        ApplicationConfig app = application(a);
        String prior = names.putIfAbsent(app.name(), a.path());
        if (prior != null) {
          throw a.get("name").error("application name \"" + app.name() + "\" is already used by " + prior);
        }
        if (app.routePrefix().isPresent()) {
          String p = prefixes.putIfAbsent(app.routePrefix().get(), app.name());
          if (p != null) {
            throw a.get("route_prefix").error("route_prefix \"" + app.routePrefix().get()
                + "\" is already used by application \"" + p + "\"");
          }
        }
        apps.add(app);
      }
    }
    return new ServeConfig(proxy, http, apps);
  }

  private static HttpOptions http(YamlNode n) {
    n.map(HTTP);
    String host = n.has("host") ? n.get("host").string() : HttpOptions.DEFAULT.host();
    int port = n.has("port") ? n.get("port").integer() : HttpOptions.DEFAULT.port();
    if (port < 0 || port > 65535) {
      throw n.get("port").error("expected a port number between 0 and 65535, got " + port);
    }
    Optional<java.time.Duration> timeout = Optional.empty();
    if (n.has("request_timeout_s")) {
      YamlNode t = n.get("request_timeout_s");
      java.time.Duration d = t.seconds();
      if (d.isNegative() || d.isZero()) {
        throw t.error("must be > 0, got " + t.number());
      }
      timeout = Optional.of(d);
    }
    return new HttpOptions(host, port, timeout);
  }

  private static ApplicationConfig application(YamlNode n) {
    n.map(APP);
    String name = required(n, "name").string();
    if (name.isBlank() || name.contains("#")) {
      throw n.get("name").error("application name must not be blank or contain '#', got \"" + name + "\"");
    }
    String importPath = required(n, "import_path").string();
    if (importPath.isBlank()) {
      throw n.get("import_path").error("must not be blank");
    }
    Optional<String> prefix = Optional.of("/");
    if (n.node().has("route_prefix")) {
      YamlNode p = n.get("route_prefix");
      prefix = p.isNull() ? Optional.empty() : Optional.of(routePrefix(p));
    }
    Map<String, Object> args = new LinkedHashMap<>();
    if (n.has("args")) {
      YamlNode a = n.get("args");
      if (!a.node().isObject()) {
        throw a.error("expected a map, got " + YamlNode.describe(a.node()));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) a.plain();
      args.putAll(m);
    }
    List<DeploymentOverride> deployments = new ArrayList<>();
    if (n.has("deployments")) {
      Map<String, String> seen = new HashMap<>();
      for (YamlNode d : n.get("deployments").list()) {
        String dn = required(d.map(DeploymentOverrides.KEYS), "name").string();
        String prior = seen.putIfAbsent(dn, d.path());
        if (prior != null) {
          throw d.get("name").error("deployment \"" + dn + "\" is already configured at " + prior);
        }
        DeploymentOverrides.toBuilder(d); // validates with paths
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = (Map<String, Object>) d.plain();
        raw.remove("name");
        deployments.add(new DeploymentOverride(dn, raw));
      }
    }
    return new ApplicationConfig(name, prefix, importPath, args, deployments);
  }

  /** Ray's rules: starts with '/', no trailing '/' (except "/" itself), no '{' or '}'. */
  private static String routePrefix(YamlNode p) {
    String s = p.string();
    if (!s.startsWith("/")) {
      throw p.error("route_prefix must start with '/', got \"" + s + "\"");
    }
    if (s.length() > 1 && s.endsWith("/")) {
      throw p.error("route_prefix must not end with '/' unless it is \"/\", got \"" + s + "\"");
    }
    if (s.contains("{") || s.contains("}")) {
      throw p.error("route_prefix may not contain wildcards ('{' or '}'), got \"" + s + "\"");
    }
    return s;
  }

  private static YamlNode required(YamlNode n, String key) {
    YamlNode c = n.get(key);
    if (c.isNull()) {
      throw c.error("required key is missing");
    }
    return c;
  }
}
