package io.troupe.runtime.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to create an actor. Build with {@link #builder()}.
 *
 * @param name optional unique name; {@link Troupe#getActor} finds the actor by it from any node
 * @param resources what the actor holds while alive; default {@code {"CPU": 1}} like Ray's actors
 *     that declare nothing hold 0 CPU for running (we keep 1 CPU for placement clarity unless set)
 * @param maxRestarts how often it is re-created after its node or process dies; 0 (default) never,
 *     -1 without limit
 * @param maxConcurrency calls run at once; 1 (default) runs calls one at a time in arrival order
 * @param strategy where it may run; default {@link SchedulingStrategy.Default}
 */
public record ActorOptions(String name, ResourceSet resources, int maxRestarts, int maxConcurrency,
    SchedulingStrategy strategy) {

  public static final ActorOptions DEFAULT = builder().build();

  public ActorOptions {
    if (maxRestarts < -1) {
      throw new IllegalArgumentException("maxRestarts must be -1 (unlimited) or >= 0, got " + maxRestarts);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1, got " + maxConcurrency);
    }
    if (name != null && name.isBlank()) {
      throw new IllegalArgumentException("actor name must not be blank");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.quantities = new LinkedHashMap<>(resources.toMap());
    b.maxRestarts = maxRestarts;
    b.maxConcurrency = maxConcurrency;
    b.strategy = strategy;
    return b;
  }

  /** Builder; defaults as documented on {@link ActorOptions}. */
  public static final class Builder {
    private String name;
    private Map<String, Double> quantities = new LinkedHashMap<>(Map.of(ResourceSet.CPU, 1.0));
    private int maxRestarts;
    private int maxConcurrency = 1;
    private SchedulingStrategy strategy = new SchedulingStrategy.Default();

    public Builder name(String v) { name = v; return this; }
    public Builder cpus(double v) { quantities.put(ResourceSet.CPU, v); return this; }
    public Builder gpus(double v) { quantities.put(ResourceSet.GPU, v); return this; }
    public Builder memory(long bytes) { quantities.put(ResourceSet.MEMORY, (double) bytes); return this; }
    public Builder resource(String n, double v) { quantities.put(n, v); return this; }
    /** Replaces all resource demands (including the default CPU). */
    public Builder resources(ResourceSet r) { quantities = new LinkedHashMap<>(r.toMap()); return this; }
    public Builder maxRestarts(int v) { maxRestarts = v; return this; }
    public Builder maxConcurrency(int v) { maxConcurrency = v; return this; }
    public Builder strategy(SchedulingStrategy v) { strategy = v; return this; }

    public ActorOptions build() {
      return new ActorOptions(name, ResourceSet.of(quantities), maxRestarts, maxConcurrency, strategy);
    }
  }
}
