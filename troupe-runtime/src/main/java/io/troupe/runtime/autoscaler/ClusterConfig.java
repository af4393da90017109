package io.troupe.runtime.autoscaler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.troupe.runtime.api.ResourceSet;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster config in Ray's cluster-YAML shape, the subset Troupe acts on; any other key is refused with its
 * path, never ignored. Immutable; {@link #parse} validates everything and says what to fix.
 *
 * <pre>
 * cluster_name: demo              # optional, shown in status
 * max_workers: 4                  # all worker nodes together (Ray's default: 2)
 * idle_timeout_minutes: 5         # a launched node idle this long is terminated (fractions allowed)
 * update_interval_s: 5            # how often the autoscaler decides (Troupe; Ray: AUTOSCALER_UPDATE_INTERVAL_S)
 * head_node_type: head            # optional: the head started by 'troupe up' gets this type's resources/labels
 * provider:
 *   type: local                   # worker processes on this machine; or: command
 *   launch: ./launch.sh           # command only: starts a machine that runs a worker ($TROUPE_* in env)
 *   terminate: ./terminate.sh     # command only: stops it ($TROUPE_PROVIDER_NODE_ID)
 *   env: {CLOUD_TOKEN: ...}       # extra environment for the commands / local workers (credentials)
 *   launch_timeout_s: 300         # a launched node must join within this, else it is terminated and retried
 * available_node_types:
 *   gpu:
 *     resources: {CPU: 8, GPU: 1} # required
 *     labels: {accelerator: H100}
 *     min_workers: 0
 *     max_workers: 2
 *     node_config: {...}          # provider-specific; given to the command provider as JSON
 * </pre>
 */
public record ClusterConfig(String clusterName, int maxWorkers, Duration idleTimeout, Duration updateInterval,
    Optional<String> headNodeType, Provider provider, Map<String, NodeType> nodeTypes) {

  /** How nodes are started. */
  public record Provider(String type, Optional<String> launch, Optional<String> terminate, Map<String, String> env,
      Duration launchTimeout) {
    public Provider {
      env = Map.copyOf(env);
    }
  }

  public ClusterConfig {
    nodeTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodeTypes));
  }

  /** Worker node types, without the head's. */
  public Map<String, NodeType> workerTypes() {
    Map<String, NodeType> out = new LinkedHashMap<>(nodeTypes);
    headNodeType.ifPresent(out::remove);
    return out;
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> TOP = Set.of("cluster_name", "max_workers", "idle_timeout_minutes",
      "update_interval_s", "head_node_type", "provider", "available_node_types");
  private static final Set<String> PROVIDER = Set.of("type", "launch", "terminate", "env", "launch_timeout_s");
  private static final Set<String> TYPE = Set.of("resources", "labels", "min_workers", "max_workers", "node_config");

  /** Parses and validates; throws {@link IllegalArgumentException} naming the key and what to fix. */
  public static ClusterConfig parse(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the cluster config is not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the cluster config must be a YAML mapping with available_node_types");
    }
    keys(root, TOP, "");
    String name = root.has("cluster_name") ? text(root.get("cluster_name"), "cluster_name") : "default";
    int maxWorkers = root.has("max_workers") ? nonNegativeInt(root.get("max_workers"), "max_workers") : 2;
    Duration idle = Duration.ofMillis(Math.round(nonNegative(root.path("idle_timeout_minutes"), "idle_timeout_minutes",
        5) * 60_000));
    double updateS = nonNegative(root.path("update_interval_s"), "update_interval_s", 5);
    if (updateS <= 0) {
      throw new IllegalArgumentException("update_interval_s must be > 0, got " + updateS);
    }
    Provider provider = provider(root.get("provider"));
    JsonNode types = root.get("available_node_types");
    if (types == null || !types.isObject() || types.isEmpty()) {
      throw new IllegalArgumentException("available_node_types is required: a mapping of node type names to "
          + "{resources: {CPU: 4, GPU: 1}, min_workers: 0, max_workers: 2}");
    }
    Map<String, NodeType> nodeTypes = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = types.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      nodeTypes.put(e.getKey(), nodeType(e.getKey(), e.getValue(), maxWorkers));
    }
    Optional<String> head = Optional.empty();
    if (root.has("head_node_type")) {
      String h = text(root.get("head_node_type"), "head_node_type");
      if (!nodeTypes.containsKey(h)) {
        throw new IllegalArgumentException("head_node_type '" + h + "' is not in available_node_types "
            + nodeTypes.keySet());
      }
      head = Optional.of(h);
    }
    int minSum = 0;
    for (NodeType t : nodeTypes.values()) {
      if (head.isEmpty() || !head.get().equals(t.name())) {
        minSum += t.minWorkers();
      }
    }
    if (minSum > maxWorkers) {
      throw new IllegalArgumentException("the node types' min_workers add up to " + minSum + ", more than max_workers "
          + maxWorkers + "; raise max_workers or lower min_workers");
    }
    return new ClusterConfig(name, maxWorkers, idle, Duration.ofMillis(Math.round(updateS * 1000)), head, provider,
        nodeTypes);
  }

  private static Provider provider(JsonNode p) {
    if (p == null || p.isNull()) {
      return new Provider("local", Optional.empty(), Optional.empty(), Map.of(), Duration.ofMinutes(5));
    }
    if (!p.isObject()) {
      throw new IllegalArgumentException("provider must be a mapping such as {type: local}");
    }
    keys(p, PROVIDER, "provider.");
    String type = p.has("type") ? text(p.get("type"), "provider.type") : "local";
    Optional<String> launch = p.has("launch") ? Optional.of(text(p.get("launch"), "provider.launch")) : Optional.empty();
    Optional<String> terminate = p.has("terminate") ? Optional.of(text(p.get("terminate"), "provider.terminate"))
        : Optional.empty();
    switch (type) {
      case "local" -> {
        if (launch.isPresent() || terminate.isPresent()) {
          throw new IllegalArgumentException("provider.launch and provider.terminate are for type: command; the local "
              + "provider starts worker processes itself");
        }
      }
      case "command" -> {
        if (launch.isEmpty() || terminate.isEmpty()) {
          throw new IllegalArgumentException("provider type command needs both launch and terminate commands, e.g. "
              + "launch: ./launch-node.sh and terminate: ./terminate-node.sh");
        }
      }
      default -> throw new IllegalArgumentException("provider.type '" + type + "' is not supported: use local "
          + "(worker processes on this machine) or command (your own launch/terminate commands for any cloud)");
    }
    Map<String, String> env = new LinkedHashMap<>();
    if (p.has("env")) {
      JsonNode e = p.get("env");
      if (!e.isObject()) {
        throw new IllegalArgumentException("provider.env must be a mapping of variable names to values");
      }
      e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText()
          : f.getValue().toString()));
    }
    double timeout = nonNegative(p.path("launch_timeout_s"), "provider.launch_timeout_s", 300);
    if (timeout <= 0) {
      throw new IllegalArgumentException("provider.launch_timeout_s must be > 0, got " + timeout);
    }
    return new Provider(type, launch, terminate, env, Duration.ofMillis(Math.round(timeout * 1000)));
  }

  private static NodeType nodeType(String name, JsonNode t, int clusterMax) {
    String at = "available_node_types." + name;
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new IllegalArgumentException(at + ": a node type name uses letters, digits, _ . - (at most 63)");
    }
    if (t == null || !t.isObject()) {
      throw new IllegalArgumentException(at + " must be a mapping with resources, e.g. {resources: {CPU: 4}}");
    }
    keys(t, TYPE, at + ".");
    JsonNode r = t.get("resources");
    if (r == null || !r.isObject() || r.isEmpty()) {
      throw new IllegalArgumentException(at + ": resources is required, e.g. resources: {CPU: 4, GPU: 1}; the "
          + "autoscaler must know what a node of this type offers to choose it");
    }
    Map<String, Double> q = new LinkedHashMap<>();
    r.fields().forEachRemaining(f -> {
      if (!f.getValue().isNumber()) {
        throw new IllegalArgumentException(at + ".resources." + f.getKey() + ": expected a number, got "
            + f.getValue());
      }
      q.put(f.getKey(), f.getValue().asDouble());
    });
    ResourceSet resources;
    try {
      resources = ResourceSet.of(q);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ".resources: " + e.getMessage());
    }
    if (resources.isEmpty()) {
      throw new IllegalArgumentException(at + ".resources offers nothing; give at least one quantity above 0");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (t.has("labels")) {
      JsonNode l = t.get("labels");
      if (!l.isObject()) {
        throw new IllegalArgumentException(at + ".labels must be a mapping such as {zone: a}");
      }
      l.fields().forEachRemaining(f -> {
        if (!f.getValue().isValueNode() || f.getValue().isNull()) {
          throw new IllegalArgumentException(at + ".labels." + f.getKey() + ": expected a text value");
        }
        labels.put(f.getKey(), f.getValue().asText());
      });
    }
    int min = t.has("min_workers") ? nonNegativeInt(t.get("min_workers"), at + ".min_workers") : 0;
    int max = t.has("max_workers") ? nonNegativeInt(t.get("max_workers"), at + ".max_workers") : clusterMax;
    if (min > max) {
      throw new IllegalArgumentException(at + ": min_workers (" + min + ") is greater than max_workers (" + max
          + "); make min_workers <= max_workers");
    }
    Map<String, Object> nodeConfig = new LinkedHashMap<>();
    if (t.has("node_config")) {
      if (!t.get("node_config").isObject()) {
        throw new IllegalArgumentException(at + ".node_config must be a mapping");
      }
      nodeConfig = YAML.convertValue(t.get("node_config"), Map.class);
    }
    return new NodeType(name, resources, labels, min, max, nodeConfig);
  }

  private static void keys(JsonNode n, Set<String> allowed, String prefix) {
    n.fieldNames().forEachRemaining(k -> {
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException(prefix + k + " is not a supported key; supported: "
            + new java.util.TreeSet<>(allowed));
      }
    });
  }

  private static String text(JsonNode n, String key) {
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(key + ": expected a non-empty text, got " + n);
    }
    return n.asText();
  }

  private static int nonNegativeInt(JsonNode n, String key) {
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
      throw new IllegalArgumentException(key + ": expected a whole number >= 0, got " + n);
    }
    return n.asInt();
  }

  private static double nonNegative(JsonNode n, String key, double dflt) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber() || n.asDouble() < 0 || Double.isInfinite(n.asDouble())) {
      throw new IllegalArgumentException(key + ": expected a number >= 0, got " + n);
    }
    return n.asDouble();
  }
}
