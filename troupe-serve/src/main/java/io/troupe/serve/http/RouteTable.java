package io.troupe.serve.http;

import io.troupe.serve.api.ApplicationStatus;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.controller.ServeStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Route prefixes of applications → their ingress deployments, matched longest prefix first on
 * whole path segments ({@code /hello} matches {@code /hello} and {@code /hello/x}, not {@code /helloo}).
 * Immutable; built from the controller's status snapshot.
 */
record RouteTable(List<Route> routes) {

  /** One application's HTTP entry. */
  record Route(String prefix, String app, DeploymentId ingress) {
  }

  RouteTable {
    routes = routes.stream().sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed()).toList();
  }

  static RouteTable of(ServeStatus status) {
    return new RouteTable(status.applications().values().stream()
        .filter(a -> a.routePrefix().isPresent() && a.status() != ApplicationStatus.DELETING)
        .map(a -> new Route(a.routePrefix().get(), a.name(), new DeploymentId(a.name(), a.ingress())))
        .toList());
  }

  Optional<Route> match(String path) {
    for (Route r : routes) {
      String p = r.prefix();
      if (p.equals("/") || path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/")) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
