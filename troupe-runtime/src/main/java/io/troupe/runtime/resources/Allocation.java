package io.troupe.runtime.resources;

import io.troupe.runtime.api.ResourceSet;
import java.util.List;
import java.util.Map;

/**
 * Resources taken from a {@link ResourceLedger}: the quantities, and for GPUs which instances and
 * how much of each (in {@link ResourceSet#UNIT} units; 1 whole GPU = UNIT).
 */
public record Allocation(ResourceSet resources, Map<String, Long> gpuUnits) {
  public Allocation {
    gpuUnits = Map.copyOf(gpuUnits);
  }

  public static final Allocation NONE = new Allocation(ResourceSet.EMPTY, Map.of());

  /** The GPU instance ids held, in ledger order. */
  public List<String> gpuIds() {
    return gpuUnits.keySet().stream().sorted().toList();
  }
}
