package io.troupe.serve.router;

import java.util.Map;
import java.util.Objects;

/**
 * What a policy may know about a request: its id and free-form attributes (e.g. a prompt prefix
 * for prefix-aware routing, a multiplexed model id). Immutable.
 */
public record RoutingRequest(String id, Map<String, Object> attributes) {
  public RoutingRequest {
    Objects.requireNonNull(id, "id");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  public static RoutingRequest of(String id) {
    return new RoutingRequest(id, Map.of());
  }
}
