package io.troupe.serve.api;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How callers pick a replica of a deployment (the deployment option {@code request_router}, Ray Serve's
 * {@code request_router_config}). Immutable and Serializable (it travels in routing tables).
 *
 * <p>In a config file either the policy's name, {@code request_router: prefix_aware}, or a map:
 * <pre>
 * request_router:
 *   policy: prefix_aware          # pow2 (default) | prefix_aware
 *   imbalanced_threshold: 10      # prefix_aware: fall back to pow2 when queue lengths differ by more
 *   match_rate_threshold: 0.1     # prefix_aware: below this matched fraction, treat the prompt as new
 *   prefix_block_chars: 32        # prefix_aware: granularity of the learnt prefixes, in characters
 *   max_prefix_blocks: 100000     # prefix_aware: learnt (block, replica) entries kept per router (LRU)
 * </pre>
 *
 * @param policy which policy ranks the replicas
 * @param imbalancedThreshold prefix-aware routing is used only while the longest and shortest known queue
 *     lengths of the replicas differ by at most this; otherwise power of two choices decides (Ray: 10)
 * @param matchRateThreshold the fraction of a request's routing key that must match a learnt prefix for
 *     the request to follow it; below it the request goes to the replicas that hold the least (Ray: 0.1)
 * @param prefixBlockChars routing keys are learnt and matched in blocks of this many characters
 * @param maxPrefixBlocks at most this many (prefix block, replica) entries are kept; the least recently
 *     routed are evicted first
 */
public record RequestRouterConfig(Policy policy, int imbalancedThreshold, double matchRateThreshold,
    int prefixBlockChars, int maxPrefixBlocks) implements Serializable {

  /** The routing policies a deployment can choose. */
  public enum Policy {
    /** Power of two choices with same-node preference (Ray Serve's default). */
    POW2("pow2"),
    /** Requests whose routing keys share a prefix go to the replica that served it last. */
    PREFIX_AWARE("prefix_aware");

    private final String key;

    Policy(String key) {
      this.key = key;
    }

    /** The name used in config files. */
    public String key() {
      return key;
    }

    /** The policy called {@code name} in a config file ({@code pow2}, {@code prefix_aware}). */
    public static Policy parse(String name) {
      for (Policy p : values()) {
        if (p.key.equals(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown request router '" + name + "'; expected one of pow2, prefix_aware");
    }
  }

  public static final RequestRouterConfig POW2 = new RequestRouterConfig(Policy.POW2, 10, 0.1, 32, 100_000);
  public static final RequestRouterConfig PREFIX_AWARE = POW2.withPolicy(Policy.PREFIX_AWARE);
  static final Set<String> KEYS = Set.of("policy", "imbalanced_threshold", "match_rate_threshold",
      "prefix_block_chars", "max_prefix_blocks");

  public RequestRouterConfig {
    if (policy == null) {
      throw new IllegalArgumentException("request_router.policy is required (pow2 or prefix_aware)");
    }
    if (imbalancedThreshold < 0) {
      throw new IllegalArgumentException("request_router.imbalanced_threshold must be >= 0, got " + imbalancedThreshold);
    }
    if (!(matchRateThreshold >= 0 && matchRateThreshold <= 1)) {
      throw new IllegalArgumentException("request_router.match_rate_threshold must be in [0, 1], got "
          + matchRateThreshold);
    }
    if (prefixBlockChars < 1) {
      throw new IllegalArgumentException("request_router.prefix_block_chars must be >= 1, got " + prefixBlockChars);
    }
    if (maxPrefixBlocks < 1) {
      throw new IllegalArgumentException("request_router.max_prefix_blocks must be >= 1, got " + maxPrefixBlocks);
    }
  }

  public RequestRouterConfig withPolicy(Policy p) {
    return new RequestRouterConfig(p, imbalancedThreshold, matchRateThreshold, prefixBlockChars, maxPrefixBlocks);
  }

  public RequestRouterConfig withImbalancedThreshold(int t) {
    return new RequestRouterConfig(policy, t, matchRateThreshold, prefixBlockChars, maxPrefixBlocks);
  }

  public RequestRouterConfig withMatchRateThreshold(double t) {
    return new RequestRouterConfig(policy, imbalancedThreshold, t, prefixBlockChars, maxPrefixBlocks);
  }

  public RequestRouterConfig withPrefixBlockChars(int c) {
    return new RequestRouterConfig(policy, imbalancedThreshold, matchRateThreshold, c, maxPrefixBlocks);
  }

  public RequestRouterConfig withMaxPrefixBlocks(int n) {
    return new RequestRouterConfig(policy, imbalancedThreshold, matchRateThreshold, prefixBlockChars, n);
  }

  /**
   * From a config value: a policy name ({@code "prefix_aware"}) or a map with the keys above (unset keys keep
   * their defaults). Throws {@link IllegalArgumentException} naming the bad key.
   */
  public static RequestRouterConfig fromValue(Object value) {
    if (value instanceof String s) {
      return POW2.withPolicy(Policy.parse(s));
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("request_router must be a policy name (pow2, prefix_aware) or a map with "
          + new TreeSet<>(KEYS) + ", got " + value);
    }
    for (Object k : m.keySet()) {
      if (!KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("unknown key request_router." + k + "; expected one of "
            + new TreeSet<>(KEYS));
      }
    }
    Object p = m.get("policy");
    if (!(p instanceof String ps)) {
      throw new IllegalArgumentException("request_router.policy is required (pow2 or prefix_aware), got " + p);
    }
    RequestRouterConfig c = POW2.withPolicy(Policy.parse(ps));
    if (m.containsKey("imbalanced_threshold")) c = c.withImbalancedThreshold(integer(m, "imbalanced_threshold"));
    if (m.containsKey("match_rate_threshold")) c = c.withMatchRateThreshold(number(m, "match_rate_threshold"));
    if (m.containsKey("prefix_block_chars")) c = c.withPrefixBlockChars(integer(m, "prefix_block_chars"));
    if (m.containsKey("max_prefix_blocks")) c = c.withMaxPrefixBlocks(integer(m, "max_prefix_blocks"));
    return c;
  }

  /** The map form (what {@link #fromValue} reads). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy", policy.key());
    m.put("imbalanced_threshold", imbalancedThreshold);
    m.put("match_rate_threshold", matchRateThreshold);
    m.put("prefix_block_chars", prefixBlockChars);
    m.put("max_prefix_blocks", maxPrefixBlocks);
    return m;
  }

  private static int integer(Map<?, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short) || ((Number) v).longValue() != ((Number) v).intValue()) {
      throw new IllegalArgumentException("request_router." + key + " must be an integer, got " + v);
    }
    return ((Number) v).intValue();
  }

  private static double number(Map<?, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("request_router." + key + " must be a number, got " + v);
    }
    return n.doubleValue();
  }
}
