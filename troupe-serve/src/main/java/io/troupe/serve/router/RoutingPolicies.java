package io.troupe.serve.router;

import io.troupe.serve.api.RequestRouterConfig;
import java.util.random.RandomGenerator;

/** Creates the {@link RoutingPolicy} a deployment's {@code request_router} names. Stateless. */
public final class RoutingPolicies {
  private RoutingPolicies() {
  }

  public static RoutingPolicy create(RequestRouterConfig config, RandomGenerator random) {
    return switch (config.policy()) {
      case POW2 -> new PowerOfTwoChoicesPolicy(random);
      case PREFIX_AWARE -> new PrefixAwarePolicy(config, random);
    };
  }
}
