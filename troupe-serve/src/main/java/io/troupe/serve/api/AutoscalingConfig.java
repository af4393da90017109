package io.troupe.serve.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a deployment scales on ongoing requests (Ray Serve's {@code AutoscalingConfig}); defaults are
 * Ray's. Build with {@link #builder()}. Immutable.
 *
 * @param minReplicas never fewer replicas than this (0 allows scale to zero); default 1
 * @param initialReplicas replicas to start with; null means {@code minReplicas}
 * @param maxReplicas never more replicas than this; default 1
 * @param targetOngoingRequests ongoing (queued at callers + executing) requests per replica the
 *     autoscaler aims for; default 2
 * @param metricsInterval how often replicas/handles report their request counts; default 10 s
 * @param lookBackPeriod window over which reported counts are averaged; default 30 s
 * @param smoothingFactor multiplies every scaling step (>1 scales faster, <1 slower); default 1
 * @param upscalingFactor smoothing for upscaling only; null means {@code smoothingFactor}
 * @param downscalingFactor smoothing for downscaling only; null means {@code smoothingFactor}
 * @param upscaleDelay how long more replicas must be wanted before scaling up; default 30 s
 * @param downscaleDelay how long fewer replicas must be wanted before scaling down; default 600 s
 * @param downscaleToZeroDelay how long zero replicas must be wanted before the last replica stops (only with
 *     {@code minReplicas} 0); null means {@code downscaleDelay} (Ray's {@code downscale_to_zero_delay_s})
 * @param aggregationFunction how one reporter's samples within the look-back period become one number;
 *     default {@link Aggregation#MEAN}
 * @param policy class name of a custom {@link io.troupe.serve.spi.AutoscalingPolicy}; null means the
 *     built-in policy (scale on ongoing requests)
 */
public record AutoscalingConfig(int minReplicas, Integer initialReplicas, int maxReplicas,
    double targetOngoingRequests, Duration metricsInterval, Duration lookBackPeriod, double smoothingFactor,
    Double upscalingFactor, Double downscalingFactor, Duration upscaleDelay, Duration downscaleDelay,
    Duration downscaleToZeroDelay, Aggregation aggregationFunction, String policy) {

  /** How one reporter's samples within the look-back period are combined (Ray's {@code aggregation_function}). */
  public enum Aggregation {
    MEAN, MAX, MIN;

    /** Parses {@code mean}, {@code max} or {@code min} (any case); throws naming the valid values. */
    public static Aggregation parse(String s) {
      for (Aggregation a : values()) {
        if (a.name().equalsIgnoreCase(s == null ? "" : s.trim())) {
          return a;
        }
      }
      throw new IllegalArgumentException("aggregation_function must be one of mean, max, min; got '" + s + "'");
    }
  }

  public AutoscalingConfig {
    aggregationFunction = aggregationFunction == null ? Aggregation.MEAN : aggregationFunction;
    if (policy != null && !policy.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
      throw new IllegalArgumentException("policy must be a Java class name such as com.example.MyPolicy, got '"
          + policy + "'");
    }
    if (downscaleToZeroDelay != null) {
      notNegative("downscale_to_zero_delay_s", downscaleToZeroDelay);
      if (minReplicas > 0) {
        throw new IllegalArgumentException("downscale_to_zero_delay_s only applies with min_replicas: 0 (got "
            + "min_replicas " + minReplicas + "); remove it or set min_replicas to 0");
      }
    }
    Objects.requireNonNull(metricsInterval, "metricsInterval");
    Objects.requireNonNull(lookBackPeriod, "lookBackPeriod");
    Objects.requireNonNull(upscaleDelay, "upscaleDelay");
    Objects.requireNonNull(downscaleDelay, "downscaleDelay");
    if (minReplicas < 0) {
      throw new IllegalArgumentException("min_replicas must be >= 0, got " + minReplicas);
    }
    if (maxReplicas < 1) {
      throw new IllegalArgumentException("max_replicas must be >= 1, got " + maxReplicas);
    }
    if (maxReplicas < minReplicas) {
      throw new IllegalArgumentException("max_replicas (" + maxReplicas
          + ") must be greater than or equal to min_replicas (" + minReplicas + ")");
    }
    if (initialReplicas != null && (initialReplicas < minReplicas || initialReplicas > maxReplicas)) {
      throw new IllegalArgumentException("initial_replicas (" + initialReplicas + ") must be between min_replicas ("
          + minReplicas + ") and max_replicas (" + maxReplicas + ")");
    }
    if (!(targetOngoingRequests > 0) || Double.isInfinite(targetOngoingRequests)) {
      throw new IllegalArgumentException("target_ongoing_requests must be > 0, got " + targetOngoingRequests);
    }
    positive("smoothing_factor", smoothingFactor);
    if (upscalingFactor != null) {
      positive("upscaling_factor", upscalingFactor);
    }
    if (downscalingFactor != null) {
      positive("downscaling_factor", downscalingFactor);
    }
    notNegative("upscale_delay_s", upscaleDelay);
    notNegative("downscale_delay_s", downscaleDelay);
    if (metricsInterval.isNegative() || metricsInterval.isZero()) {
      throw new IllegalArgumentException("metrics_interval_s must be > 0, got " + seconds(metricsInterval));
    }
    if (lookBackPeriod.isNegative() || lookBackPeriod.isZero()) {
      throw new IllegalArgumentException("look_back_period_s must be > 0, got " + seconds(lookBackPeriod));
    }
  }

  private static void positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be > 0, got " + v);
    }
  }

  private static void notNegative(String name, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + seconds(d));
    }
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** Replicas to start with: {@code initialReplicas}, or {@code minReplicas} when unset. */
  public int startReplicas() {
    return initialReplicas != null ? initialReplicas : minReplicas;
  }

  /** How long zero replicas must be wanted before the last one stops. */
  public Duration effectiveDownscaleToZeroDelay() {
    return downscaleToZeroDelay != null ? downscaleToZeroDelay : downscaleDelay;
  }

  /** Smoothing applied when scaling up. */
  public double effectiveUpscalingFactor() {
    return upscalingFactor != null ? upscalingFactor : smoothingFactor;
  }

  /** Smoothing applied when scaling down. */
  public double effectiveDownscalingFactor() {
    return downscalingFactor != null ? downscalingFactor : smoothingFactor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder; defaults as documented on {@link AutoscalingConfig}. */
  public static final class Builder {
    private int minReplicas = 1;
    private Integer initialReplicas;
    private int maxReplicas = 1;
    private double targetOngoingRequests = 2.0;
    private Duration metricsInterval = Duration.ofSeconds(10);
    private Duration lookBackPeriod = Duration.ofSeconds(30);
    private double smoothingFactor = 1.0;
    private Double upscalingFactor;
    private Double downscalingFactor;
    private Duration upscaleDelay = Duration.ofSeconds(30);
    private Duration downscaleDelay = Duration.ofSeconds(600);
    private Duration downscaleToZeroDelay;
    private Aggregation aggregationFunction = Aggregation.MEAN;
    private String policy;

    public Builder minReplicas(int v) { minReplicas = v; return this; }
    public Builder initialReplicas(Integer v) { initialReplicas = v; return this; }
    public Builder maxReplicas(int v) { maxReplicas = v; return this; }
    public Builder targetOngoingRequests(double v) { targetOngoingRequests = v; return this; }
    public Builder metricsInterval(Duration v) { metricsInterval = v; return this; }
    public Builder lookBackPeriod(Duration v) { lookBackPeriod = v; return this; }
    public Builder smoothingFactor(double v) { smoothingFactor = v; return this; }
    public Builder upscalingFactor(Double v) { upscalingFactor = v; return this; }
    public Builder downscalingFactor(Double v) { downscalingFactor = v; return this; }
    public Builder upscaleDelay(Duration v) { upscaleDelay = v; return this; }
    public Builder downscaleDelay(Duration v) { downscaleDelay = v; return this; }
    public Builder downscaleToZeroDelay(Duration v) { downscaleToZeroDelay = v; return this; }
    public Builder aggregationFunction(Aggregation v) { aggregationFunction = v; return this; }
    public Builder policy(String className) { policy = className; return this; }
    public Builder policy(Class<? extends io.troupe.serve.spi.AutoscalingPolicy> type) {
      policy = type.getName();
      return this;
    }

    public AutoscalingConfig build() {
      return new AutoscalingConfig(minReplicas, initialReplicas, maxReplicas, targetOngoingRequests,
          metricsInterval, lookBackPeriod, smoothingFactor, upscalingFactor, downscalingFactor, upscaleDelay,
          downscaleDelay, downscaleToZeroDelay, aggregationFunction, policy);
    }
  }
}
