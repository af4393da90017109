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
  /**
   * Totals, the GPU instance ids behind the GPU count, and the node's labels: the declared ones plus
   * {@code accelerator_type} (e.g. {@code H100}) read from nvidia-smi when it lists a GPU and the node
   * did not declare that label.
   */
  record Detected(ResourceSet total, List<String> gpuIds, Map<String, String> labels) {}

  /** The label a GPU node gets from nvidia-smi's GPU name. */
  static final String ACCELERATOR_LABEL = "accelerator_type";

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
      List<String> detected = nvidiaSmi().ids();
      gpuIds = new ArrayList<>();
      for (int i = 0; i < c.numGpus(); i++) {
        gpuIds.add(i < detected.size() ? detected.get(i) : Integer.toString(i));
      }
    } else {
      gpuIds = nvidiaSmi().ids();
    }
    Map<String, String> labels = new LinkedHashMap<>(c.labels());
    if (!labels.containsKey(ACCELERATOR_LABEL) && !gpuIds.isEmpty()) {
      nvidiaSmi().acceleratorType().ifPresent(t -> labels.put(ACCELERATOR_LABEL, t));
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
      return new Detected(ResourceSet.of(q), List.copyOf(gpuIds), Map.copyOf(labels));
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

  /** What nvidia-smi says: the visible GPUs' indices and the accelerator type of the first. */
  record Smi(List<String> ids, java.util.Optional<String> acceleratorType) {}

  private static volatile Smi smi;

  /**
   * The GPUs this node may use: those {@code nvidia-smi} lists, narrowed to {@code CUDA_VISIBLE_DEVICES}
   * when the node itself was started with it (as Ray does); none when nvidia-smi is absent or fails.
   * Asked once per JVM.
   */
  static Smi nvidiaSmi() {
    Smi s = smi;
    if (s == null) {
      s = askNvidiaSmi();
      smi = s;
    }
    return s;
  }

  private static Smi askNvidiaSmi() {
    try {
      Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,uuid,name", "--format=csv,noheader")
          .redirectErrorStream(true).start();
      List<String> lines = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      }
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return new Smi(List.of(), java.util.Optional.empty());
      }
      List<String> ids = visibleGpus(lines, System.getenv("CUDA_VISIBLE_DEVICES"));
      java.util.Optional<String> type = java.util.Optional.empty();
      for (String line : lines) {
        String[] parts = line.split(",");
        if (parts.length >= 3 && !ids.isEmpty() && parts[0].trim().equals(ids.get(0))) {
          type = acceleratorType(parts[2].trim());
        }
      }
      return new Smi(ids, type);
    } catch (Exception e) {
      return new Smi(List.of(), java.util.Optional.empty());
    }
  }

  private static final java.util.regex.Pattern GPU_MODEL =
      java.util.regex.Pattern.compile("^\\S+\\s+([A-Z][A-Z0-9]*[0-9][A-Z0-9]*)(?:[\\s-].*)?$");

  /**
   * The model in an NVIDIA GPU name, as a short label value: {@code NVIDIA H100 80GB HBM3} → {@code H100},
   * {@code NVIDIA A100-SXM4-40GB} → {@code A100}, {@code Tesla T4} → {@code T4}; empty when the name
   * has no such model word (e.g. {@code NVIDIA GeForce RTX 4090}: declare the label yourself).
   */
  static java.util.Optional<String> acceleratorType(String gpuName) {
    java.util.regex.Matcher m = GPU_MODEL.matcher(gpuName.trim());
    return m.matches() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  /**
   * GPU indices from {@code nvidia-smi --query-gpu=index,uuid --format=csv,noheader} output lines
   * (e.g. {@code 0, GPU-dd53d35f-805b-8cdd-6bc2-862f40be0136}), in the order
   * {@code cudaVisibleDevices} names them when it is set: entries are indices, UUIDs or unique UUID
   * prefixes, as CUDA accepts them; an empty value means no GPU; like CUDA, the list stops at the first
   * entry that names no GPU. Pure: tested with output captured on a real H100 machine.
   */
  static List<String> visibleGpus(List<String> smiLines, String cudaVisibleDevices) {
    Map<String, String> uuidByIndex = new LinkedHashMap<>();
    for (String line : smiLines) {
      String[] parts = line.split(",");
      if (parts.length >= 2 && parts[0].trim().matches("\\d+")) {
        uuidByIndex.put(parts[0].trim(), parts[1].trim());
      }
    }
    if (cudaVisibleDevices == null) {
      return List.copyOf(uuidByIndex.keySet());
    }
    List<String> visible = new ArrayList<>();
    for (String entry : cudaVisibleDevices.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        break;
      }
      String match = null;
      if (uuidByIndex.containsKey(e)) {
        match = e;
      } else if (e.startsWith("GPU-")) {
        List<String> byPrefix = uuidByIndex.entrySet().stream().filter(x -> x.getValue().startsWith(e))
            .map(Map.Entry::getKey).toList();
        match = byPrefix.size() == 1 ? byPrefix.get(0) : null;
      }
      if (match == null || visible.contains(match)) {
        break;
      }
      visible.add(match);
    }
    return List.copyOf(visible);
  }
}
