package io.troupe.runtime.resources;

import io.troupe.runtime.api.ResourceSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authoritative accounting of one pool of resources: a node's, or a placement-group bundle's.
 *
 * <p>Keeps totals and what is available, and tracks GPUs as <em>instances</em>: each GPU id has its
 * own free capacity, so the holder of {@code {"GPU": 2}} knows which two devices it holds, and no id
 * is ever handed out beyond its capacity. Whole-GPU demands take whole, fully free instances (lowest
 * index first); a fractional demand (below 1) is packed onto the instance with the least free
 * capacity that still fits (best fit), as Ray does. A GPU demand above 1 must be a whole number.
 *
 * <p>Not thread-safe: owned by one thread (the node agent's), like all authoritative state here.
 */
public final class ResourceLedger {
  private final ResourceSet total;
  private ResourceSet available;
  private final List<String> gpuIds;
  private final long[] gpuCap;
  private final long[] gpuFree;

  /**
   * A node's ledger: every GPU instance whole.
   *
   * @param total the pool's totals; its GPU quantity must equal the number of {@code gpuIds}
   * @param gpuIds GPU instance ids, in device order (e.g. "0", "1" or UUIDs)
   */
  public ResourceLedger(ResourceSet total, List<String> gpuIds) {
    this(total, gpuIds, constant(gpuIds.size(), ResourceSet.UNIT));
  }

  private ResourceLedger(ResourceSet total, List<String> gpuIds, long[] gpuCap) {
    long sum = 0;
    for (long c : gpuCap) {
      sum += c;
    }
    if (total.units(ResourceSet.GPU) != sum) {
      throw new IllegalArgumentException("GPU total " + total.get(ResourceSet.GPU)
          + " does not match the GPU instances " + gpuIds);
    }
    this.total = total;
    this.available = total;
    this.gpuIds = List.copyOf(gpuIds);
    this.gpuCap = gpuCap;
    this.gpuFree = gpuCap.clone();
  }

  /** A ledger over a previous allocation, e.g. a bundle's reserved resources and GPU instances. */
  public static ResourceLedger over(Allocation allocation) {
    List<String> ids = allocation.gpuIds();
    long[] cap = new long[ids.size()];
    for (int i = 0; i < cap.length; i++) {
      cap[i] = allocation.gpuUnits().get(ids.get(i));
    }
    return new ResourceLedger(allocation.resources(), ids, cap);
  }

  private static long[] constant(int n, long v) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  public ResourceSet total() {
    return total;
  }

  public ResourceSet available() {
    return available;
  }

  public List<String> gpuIds() {
    return gpuIds;
  }

  /** True when {@code demand} could ever fit in this pool (by totals). */
  public boolean feasible(ResourceSet demand) {
    return demand.fitsIn(total) && gpuShapeOk(demand, true);
  }

  /** True when {@code demand} fits in what is available now. */
  public boolean fitsNow(ResourceSet demand) {
    return demand.fitsIn(available) && gpuShapeOk(demand, false);
  }

  private boolean gpuShapeOk(ResourceSet demand, boolean byTotals) {
    long g = demand.units(ResourceSet.GPU);
    if (g == 0) {
      return true;
    }
    if (g > ResourceSet.UNIT && g % ResourceSet.UNIT != 0) {
      return false;
    }
    return pickGpus(g, byTotals) != null;
  }

  /** Why {@code demand} is not feasible here, or empty when it is. */
  public Optional<String> infeasibility(ResourceSet demand) {
    long g = demand.units(ResourceSet.GPU);
    if (g > ResourceSet.UNIT && g % ResourceSet.UNIT != 0) {
      return Optional.of("a GPU demand above 1 must be a whole number, got " + demand.get(ResourceSet.GPU));
    }
    for (String name : demand.names()) {
      if (demand.units(name) > total.units(name)) {
        return Optional.of(name + " " + fmt(demand.get(name)) + " > total " + fmt(total.get(name)));
      }
    }
    return Optional.empty();
  }

  /** Takes {@code demand}, or returns empty (changing nothing) when it does not fit now. */
  public Optional<Allocation> allocate(ResourceSet demand) {
    if (!demand.fitsIn(available)) {
      return Optional.empty();
    }
    long g = demand.units(ResourceSet.GPU);
    Map<String, Long> gpus = Map.of();
    if (g > 0) {
      if (g > ResourceSet.UNIT && g % ResourceSet.UNIT != 0) {
        return Optional.empty();
      }
      int[] picked = pickGpus(g, false);
      if (picked == null) {
        return Optional.empty();
      }
      Map<String, Long> m = new LinkedHashMap<>();
      long per = g >= ResourceSet.UNIT ? ResourceSet.UNIT : g;
      for (int i : picked) {
        gpuFree[i] -= per;
        m.put(gpuIds.get(i), per);
      }
      gpus = m;
    }
    available = available.minus(demand);
    return Optional.of(new Allocation(demand, gpus));
  }

  /** Returns an allocation made by this ledger. */
  public void release(Allocation allocation) {
    ResourceSet back = available.plus(allocation.resources());
    if (!back.fitsIn(total)) {
      throw new IllegalStateException("release of " + allocation.resources() + " would exceed total " + total);
    }
    // Check every GPU before changing any, so a refused release leaves the ledger as it was.
    int[] index = new int[allocation.gpuUnits().size()];
    int k = 0;
    for (Map.Entry<String, Long> e : allocation.gpuUnits().entrySet()) {
      int i = gpuIds.indexOf(e.getKey());
      if (i < 0 || gpuFree[i] + e.getValue() > gpuCap[i]) {
        throw new IllegalStateException("release of GPU " + e.getKey() + " not held by this ledger");
      }
      index[k++] = i;
    }
    k = 0;
    for (long units : allocation.gpuUnits().values()) {
      gpuFree[index[k++]] += units;
    }
    available = back;
  }

  /** Free capacity per GPU id, in units. */
  public Map<String, Long> gpuFree() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < gpuIds.size(); i++) {
      m.put(gpuIds.get(i), gpuFree[i]);
    }
    return m;
  }

  /** Indices of the GPUs to take, or null. Whole: lowest free indices; fraction: best fit. */
  private int[] pickGpus(long units, boolean byTotals) {
    if (units >= ResourceSet.UNIT) {
      int n = (int) (units / ResourceSet.UNIT);
      List<Integer> free = new ArrayList<>();
      for (int i = 0; i < gpuIds.size() && free.size() < n; i++) {
        if (gpuCap[i] == ResourceSet.UNIT && (byTotals || gpuFree[i] == ResourceSet.UNIT)) {
          free.add(i);
        }
      }
      return free.size() == n ? free.stream().mapToInt(Integer::intValue).toArray() : null;
    }
    int best = -1;
    for (int i = 0; i < gpuIds.size(); i++) {
      long f = byTotals ? gpuCap[i] : gpuFree[i];
      long bestF = best < 0 ? Long.MAX_VALUE : (byTotals ? gpuCap[best] : gpuFree[best]);
      if (f >= units && f < bestF) {
        best = i;
      }
    }
    return best < 0 ? null : new int[] {best};
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public String toString() {
    return "ResourceLedger{total=" + total + ", available=" + available + ", gpuFree=" + gpuFree() + "}";
  }
}
