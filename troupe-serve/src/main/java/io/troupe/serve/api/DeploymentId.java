package io.troupe.serve.api;

import java.util.Objects;

/** A deployment inside an application; names are unique within their application. Immutable. */
public record DeploymentId(String app, String name) implements Comparable<DeploymentId> {
  public DeploymentId {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public int compareTo(DeploymentId o) {
    int c = app.compareTo(o.app);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return app + "#" + name;
  }
}
