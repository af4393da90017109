package io.troupe.serve.router;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a policy may know about a request: its id and free-form attributes (e.g. the routing key
 * {@value #ROUTING_KEY} that prefix-aware routing matches, a multiplexed model id). Immutable.
 */
public record RoutingRequest(String id, Map<String, Object> attributes) {
  /** Attribute holding the text whose prefixes {@link PrefixAwarePolicy} learns and matches (e.g. the prompt). */
  public static final String ROUTING_KEY = "routing_key";

  public RoutingRequest {
    Objects.requireNonNull(id, "id");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  public static RoutingRequest of(String id) {
    return new RoutingRequest(id, Map.of());
  }

  /** A request carrying {@code routingKey} (none when null). */
  public static RoutingRequest withRoutingKey(String id, String routingKey) {
    return routingKey == null ? of(id) : new RoutingRequest(id, Map.of(ROUTING_KEY, routingKey));
  }

  /** The routing key, when the caller gave one. */
  public Optional<String> routingKey() {
    return attributes.get(ROUTING_KEY) instanceof String s ? Optional.of(s) : Optional.empty();
  }
}
