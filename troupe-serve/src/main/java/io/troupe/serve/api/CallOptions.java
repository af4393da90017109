package io.troupe.serve.api;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-call options of a {@link DeploymentHandle} (Ray Serve's {@code handle.options(...)}).
 * Immutable; Serializable (travels inside a handle).
 *
 * @param method the deployment method {@link DeploymentHandle#call}/{@link DeploymentHandle#callStream}
 *     invoke; {@link #DEFAULT_METHOD} unless set
 * @param timeout how long a call may take from routing to the answer (for a stream: to its first
 *     answer, and then between two batches of chunks); null for no limit (Ray's default)
 * @param routingKey text the router may route by: with the deployment's {@code request_router: prefix_aware},
 *     calls whose keys share a prefix (e.g. prompts with one system prompt) go to the same replica; null
 *     for none (the default). Ignored by the pow2 policy
 */
public record CallOptions(String method, Duration timeout, String routingKey) implements Serializable {
  /** The method used when none is named: Ray's {@code __call__} becomes {@code call}. */
  public static final String DEFAULT_METHOD = "call";
  public static final CallOptions DEFAULT = new CallOptions(DEFAULT_METHOD, null, null);

  public CallOptions {
    Objects.requireNonNull(method, "method");
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  /** Default options calling {@code method}. */
  public static CallOptions method(String method) {
    return new CallOptions(method, null, null);
  }

  public CallOptions withMethod(String m) {
    return new CallOptions(m, timeout, routingKey);
  }

  public CallOptions withTimeout(Duration t) {
    return new CallOptions(method, t, routingKey);
  }

  /** These options with routing key {@code key} (null for none). */
  public CallOptions withRoutingKey(String key) {
    return new CallOptions(method, timeout, key);
  }
}
