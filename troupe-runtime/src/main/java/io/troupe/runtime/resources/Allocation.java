package io.troupe.runtime.resources;

import io.troupe.runtime.api.ResourceSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Resources taken from a {@link ResourceLedger}: the quantities, and for GPUs which instances and
 * how much of each (in {@link ResourceSet#UNIT} units; 1 whole GPU = UNIT), in the ledger's device
 * order (so {@link #gpuIds()} gives "9,10", not "10,9", and UUID ids keep their device order).
 */
public record Allocation(ResourceSet resources, Map<String, Long> gpuUnits) {
  public Allocation {
    Map<String, Long> copy = new LinkedHashMap<>();
    gpuUnits.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "gpu id"), Objects.requireNonNull(v, "gpu units")));
    gpuUnits = Collections.unmodifiableMap(copy);
  }

  public static final Allocation NONE = new Allocation(ResourceSet.EMPTY, Map.of());

  /** The GPU instance ids held, in ledger (device) order. */
  public List<String> gpuIds() {
    return List.copyOf(gpuUnits.keySet());
  }
}
