package io.troupe.runtime.placement;

import io.troupe.runtime.resources.Allocation;
import java.util.Map;

/**
 * The environment a process launched by an actor gets for the GPU instances it holds
 * ({@code CUDA_VISIBLE_DEVICES=0,3}). Stateless.
 */
public final class GpuEnvironment {
  public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";

  private GpuEnvironment() {}

  /** {@code {CUDA_VISIBLE_DEVICES: "id,id"}} for an allocation with GPUs; empty otherwise. */
  public static Map<String, String> of(Allocation allocation) {
    if (allocation.gpuIds().isEmpty()) {
      return Map.of();
    }
    return Map.of(CUDA_VISIBLE_DEVICES, String.join(",", allocation.gpuIds()));
  }
}
