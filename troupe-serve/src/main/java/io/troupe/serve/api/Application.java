package io.troupe.serve.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An application: a graph of bound deployments with one ingress (the deployment that receives the
 * application's HTTP traffic and handle calls). Immutable; building it checks that deployment names
 * are unique (one name = one deployment) and that the graph has no cycle.
 */
public record Application(BoundDeployment ingress) {
  public Application {
    Objects.requireNonNull(ingress, "ingress");
    collect(ingress, new LinkedHashMap<>(), new ArrayList<>());
  }

  public static Application of(BoundDeployment ingress) {
    return new Application(ingress);
  }

  /** All deployments, children before parents, ingress last. */
  public List<BoundDeployment> deployments() {
    Map<String, BoundDeployment> seen = new LinkedHashMap<>();
    collect(ingress, seen, new ArrayList<>());
    return List.copyOf(seen.values());
  }

  private static void collect(BoundDeployment d, Map<String, BoundDeployment> seen, List<String> path) {
    if (path.contains(d.name())) {
      throw new IllegalArgumentException("deployment graph has a cycle: " + String.join(" -> ", path) + " -> "
          + d.name());
    }
    BoundDeployment prior = seen.get(d.name());
    if (prior != null) {
      if (!prior.equals(d)) {
        throw new IllegalArgumentException("two different deployments are named '" + d.name()
            + "' in one application; give one of them another name");
      }
      return;
    }
    path.add(d.name());
    for (BoundDeployment c : d.children()) {
      collect(c, seen, path);
    }
    path.remove(path.size() - 1);
    seen.put(d.name(), d);
  }
}
