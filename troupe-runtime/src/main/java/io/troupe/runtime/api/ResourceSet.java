package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An immutable map of resource name to quantity, such as {@code {"CPU": 1, "GPU": 0.5}}.
 *
 * <p>Quantities are held in fixed point with a granularity of 1/10,000 (like Ray), so adding and
 * subtracting fractions never drifts. Zero quantities are dropped. Quantities are never negative:
 * {@link #minus} refuses to go below zero. Names follow {@link #NAME_PATTERN}; the well-known ones are
 * {@link #CPU}, {@link #GPU} and {@link #MEMORY} (bytes).
 *
 * <p>Thread-safe (immutable).
 */
public final class ResourceSet {
  public static final String CPU = "CPU";
  public static final String GPU = "GPU";
  public static final String MEMORY = "memory";
  /** Resource names: a letter, then letters, digits, {@code _ . : / -}; at most 64 characters. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z][A-Za-z0-9_.:/-]{0,63}");
  /** Fixed-point units per 1.0 of a resource. */
  public static final long UNIT = 10_000L;
  public static final ResourceSet EMPTY = new ResourceSet(new TreeMap<>());

  private final TreeMap<String, Long> units;

  private ResourceSet(TreeMap<String, Long> units) {
    this.units = units;
  }

  /** Parses and validates quantities; throws {@link IllegalArgumentException} saying what to fix. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static ResourceSet of(Map<String, ? extends Number> quantities) {
    if (quantities == null) {
      return EMPTY;
    }
    TreeMap<String, Long> units = new TreeMap<>();
    for (Map.Entry<String, ? extends Number> e : quantities.entrySet()) {
      String name = e.getKey();
      validateName(name);
      if (e.getValue() == null) {
        throw new IllegalArgumentException("resource '" + name + "' has no quantity; give a number >= 0");
      }
      long u = toUnits(name, e.getValue().doubleValue());
      if (u > 0) {
        units.put(name, u);
      }
    }
    return units.isEmpty() ? EMPTY : new ResourceSet(units);
  }

  public static ResourceSet of(String name, double quantity) {
    return of(Map.of(name, quantity));
  }

  public static ResourceSet of(String n1, double q1, String n2, double q2) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(n1, q1);
    m.put(n2, q2);
    return of(m);
  }

  public static ResourceSet ofUnits(Map<String, Long> units) {
    TreeMap<String, Long> copy = new TreeMap<>();
    units.forEach((k, v) -> {
      if (v < 0) {
        throw new IllegalArgumentException("negative quantity for " + k);
      }
      if (v > 0) {
        copy.put(k, v);
      }
    });
    return copy.isEmpty() ? EMPTY : new ResourceSet(copy);
  }

  public static void validateName(String name) {
    if (name == null || !NAME_PATTERN.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid resource name '" + name
          + "': use a letter followed by letters, digits or _ . : / - (at most 64 characters)");
    }
  }

  static long toUnits(String name, double quantity) {
    if (Double.isNaN(quantity) || Double.isInfinite(quantity)) {
      throw new IllegalArgumentException("resource '" + name + "' has quantity " + quantity
          + "; give a finite number >= 0");
    }
    if (quantity < 0) {
      throw new IllegalArgumentException("resource '" + name + "' has negative quantity " + quantity
          + "; give a number >= 0");
    }
    if (quantity > 9.0e14) {
      throw new IllegalArgumentException("resource '" + name + "' quantity " + quantity + " is too large");
    }
    return Math.round(quantity * UNIT);
  }

  public double get(String name) {
    return units.getOrDefault(name, 0L) / (double) UNIT;
  }

  public long units(String name) {
    return units.getOrDefault(name, 0L);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(units.keySet());
  }

  public boolean isEmpty() {
    return units.isEmpty();
  }

  public boolean has(String name) {
    return units.containsKey(name);
  }

  /** True when every quantity here is at most the same quantity in {@code other}. */
  public boolean fitsIn(ResourceSet other) {
    for (Map.Entry<String, Long> e : units.entrySet()) {
      if (e.getValue() > other.units(e.getKey())) {
        return false;
      }
    }
    return true;
  }

  public ResourceSet plus(ResourceSet other) {
    TreeMap<String, Long> m = new TreeMap<>(units);
    other.units.forEach((k, v) -> m.merge(k, v, Long::sum));
    return new ResourceSet(m);
  }

  /** Subtracts {@code other}; throws when that would make any quantity negative. */
  public ResourceSet minus(ResourceSet other) {
    TreeMap<String, Long> m = new TreeMap<>(units);
    for (Map.Entry<String, Long> e : other.units.entrySet()) {
      long left = m.getOrDefault(e.getKey(), 0L) - e.getValue();
      if (left < 0) {
        throw new IllegalStateException("cannot subtract " + other + " from " + this + ": " + e.getKey()
            + " would be negative");
      }
      if (left == 0) {
        m.remove(e.getKey());
      } else {
        m.put(e.getKey(), left);
      }
    }
    return new ResourceSet(m);
  }

  /** Subtracts {@code other}, flooring each quantity at zero. */
  public ResourceSet minusSaturating(ResourceSet other) {
    TreeMap<String, Long> m = new TreeMap<>(units);
    other.units.forEach((k, v) -> {
      long left = m.getOrDefault(k, 0L) - v;
      if (left <= 0) {
        m.remove(k);
      } else {
        m.put(k, left);
      }
    });
    return m.isEmpty() ? EMPTY : new ResourceSet(m);
  }

  /** Quantities as doubles, ordered by name. */
  @JsonValue
  public Map<String, Double> toMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    units.forEach((k, v) -> m.put(k, v / (double) UNIT));
    return m;
  }

  public Map<String, Long> toUnits() {
    return Collections.unmodifiableMap(units);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceSet r && r.units.equals(units);
  }

  @Override
  public int hashCode() {
    return units.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    units.forEach((k, v) -> {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      double d = v / (double) UNIT;
      sb.append(k).append(": ").append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
    });
    return sb.append('}').toString();
  }
}
