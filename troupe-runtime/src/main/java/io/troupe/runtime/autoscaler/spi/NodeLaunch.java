package io.troupe.runtime.autoscaler.spi;

import io.troupe.runtime.api.ResourceSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One node the autoscaler wants. Immutable.
 *
 * @param launchId unique id of this launch; the node carries it as label {@value #LAUNCH_ID_LABEL}
 * @param nodeType the node type's name in the cluster config; also label {@value #NODE_TYPE_LABEL}
 * @param resources the node type's resources (what the worker must offer)
 * @param labels the node type's labels plus the two above
 * @param headAddress {@code host:port} of the head to join
 * @param env extra environment for the node (the provider's configured {@code env}, e.g. credentials)
 */
public record NodeLaunch(String launchId, String nodeType, ResourceSet resources, Map<String, String> labels,
    String headAddress, Map<String, String> env) {
  /** Label every autoscaled node carries: its launch id. */
  public static final String LAUNCH_ID_LABEL = "troupe.io/launch-id";
  /** Label every autoscaled node carries: its node type. */
  public static final String NODE_TYPE_LABEL = "troupe.io/node-type";

  public NodeLaunch {
    Objects.requireNonNull(launchId, "launchId");
    Objects.requireNonNull(nodeType, "nodeType");
    Objects.requireNonNull(resources, "resources");
    labels = Map.copyOf(labels);
    env = Map.copyOf(env);
  }

  /** {@code troupe start} arguments for this node: {@code --address ... --num-cpus ... --labels ...}. */
  public List<String> startArgs() {
    List<String> a = new ArrayList<>(List.of("--address", headAddress));
    Map<String, Double> custom = new TreeMap<>(resources.toMap());
    Double cpus = custom.remove(ResourceSet.CPU);
    a.addAll(List.of("--num-cpus", cpus == null ? "0" : trim(cpus)));
    Double gpus = custom.remove(ResourceSet.GPU);
    a.addAll(List.of("--num-gpus", gpus == null ? "0" : Integer.toString((int) Math.round(gpus))));
    Double memory = custom.remove(ResourceSet.MEMORY);
    if (memory != null) {
      a.addAll(List.of("--memory", Long.toString(Math.round(memory))));
    }
    if (!custom.isEmpty()) {
      StringBuilder json = new StringBuilder("{");
      custom.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
          .append(trim(v)));
      a.addAll(List.of("--resources", json.append('}').toString()));
    }
    StringBuilder l = new StringBuilder();
    new TreeMap<>(labels).forEach((k, v) -> l.append(l.length() > 0 ? "," : "").append(k).append('=').append(v));
    a.addAll(List.of("--labels", l.toString()));
    return a;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
