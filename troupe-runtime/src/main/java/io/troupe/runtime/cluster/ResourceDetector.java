package io.troupe.runtime.cluster;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.TroupeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Works out a node's resources: declared values win; otherwise CPUs are the available processors,
 * memory is 70% of physical memory and GPUs are those {@code nvidia-smi} lists (none without it).
 */
final class ResourceDetector {
  /** Totals and the GPU instance ids behind the GPU count. */
  record Detected(ResourceSet total, List<String> gpuIds) {}

  private ResourceDetector() {}

  static Detected detect(NodeConfig c) {
    double cpus = c.numCpus() != null ? c.numCpus() : Runtime.getRuntime().availableProcessors();
    long memory = c.memoryBytes() != null ? c.memoryBytes() : (long) (physicalMemory() * 0.7);
    List<String> gpuIds;
    if (c.gpuIds() != null) {
      gpuIds = c.gpuIds();
      if (c.numGpus() != null && c.numGpus() != gpuIds.size()) {
        throw new TroupeException("--num-gpus " + c.numGpus() + " does not match the " + gpuIds.size()
            + " ids in --gpu-ids " + gpuIds);
      }
    } else if (c.numGpus() != null) {
      List<String> detected = nvidiaSmi();
      gpuIds = new ArrayList<>();
      for (int i = 0; i < c.numGpus(); i++) {
        gpuIds.add(i < detected.size() ? detected.get(i) : Integer.toString(i));
      }
    } else {
      gpuIds = nvidiaSmi();
    }
    if (c.numGpus() != null && c.numGpus() < 0) {
      throw new TroupeException("--num-gpus must be >= 0, got " + c.numGpus());
    }
    Map<String, Double> q = new LinkedHashMap<>();
    q.put(ResourceSet.CPU, cpus);
    q.put(ResourceSet.MEMORY, (double) memory);
    q.put(ResourceSet.GPU, (double) gpuIds.size());
    for (Map.Entry<String, Double> e : c.resources().entrySet()) {
      if (q.containsKey(e.getKey())) {
        throw new TroupeException("set " + e.getKey() + " with its own flag, not in --resources");
      }
      q.put(e.getKey(), e.getValue());
    }
    try {
      return new Detected(ResourceSet.of(q), List.copyOf(gpuIds));
    } catch (IllegalArgumentException e) {
      throw new TroupeException(e.getMessage());
    }
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }

  /** GPU indices reported by nvidia-smi, or empty when it is absent or fails. */
  static List<String> nvidiaSmi() {
    try {
      Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,uuid", "--format=csv,noheader")
          .redirectErrorStream(true).start();
      List<String> ids = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          String[] parts = line.split(",");
          if (parts.length >= 2 && parts[0].trim().matches("\\d+")) {
            ids.add(parts[0].trim());
          }
        }
      }
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return List.of();
      }
      return ids;
    } catch (Exception e) {
      return List.of();
    }
  }
}
