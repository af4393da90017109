package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GPU detection from nvidia-smi output: lines captured on real machines, CUDA_VISIBLE_DEVICES rules. */
@Timeout(10)
class ResourceDetectorTest {
  /** {@code nvidia-smi --query-gpu=index,uuid --format=csv,noheader} on a one-H100 machine (2026-11-26). */
  private static final List<String> H100 = List.of("0, GPU-dd53d35f-805b-8cdd-6bc2-862f40be0136");
  private static final List<String> FOUR = List.of(
      "0, GPU-11111111-aaaa-bbbb-cccc-000000000000",
      "1, GPU-22222222-aaaa-bbbb-cccc-000000000000",
      "2, GPU-33333333-aaaa-bbbb-cccc-000000000000",
      "3, GPU-34444444-aaaa-bbbb-cccc-000000000000");

  @Test
  void listsEveryGpuWithoutCudaVisibleDevices() {
    assertThat(ResourceDetector.visibleGpus(H100, null)).containsExactly("0");
    assertThat(ResourceDetector.visibleGpus(FOUR, null)).containsExactly("0", "1", "2", "3");
    assertThat(ResourceDetector.visibleGpus(List.of("NVIDIA-SMI has failed because it couldn't communicate"), null))
        .isEmpty();
  }

  @Test
  void cudaVisibleDevicesNarrowsAndOrdersByIndexOrUuid() {
    assertThat(ResourceDetector.visibleGpus(FOUR, "2,0")).containsExactly("2", "0");
    assertThat(ResourceDetector.visibleGpus(FOUR, "GPU-22222222-aaaa-bbbb-cccc-000000000000, 3")).containsExactly("1", "3");
    assertThat(ResourceDetector.visibleGpus(H100, "GPU-dd53d35f")).containsExactly("0"); // unique prefix
    assertThat(ResourceDetector.visibleGpus(FOUR, "GPU-3")).isEmpty(); // ambiguous prefix names no GPU
    assertThat(ResourceDetector.visibleGpus(FOUR, "")).isEmpty();
    assertThat(ResourceDetector.visibleGpus(FOUR, "1,7,2")).containsExactly("1"); // CUDA stops at an unknown id
    assertThat(ResourceDetector.visibleGpus(FOUR, "1,1")).containsExactly("1");
  }

  @Test
  void theAcceleratorTypeIsTheModelInTheGpuName() {
    // the name column of `nvidia-smi --query-gpu=index,uuid,name` on the H100 machine above
    assertThat(ResourceDetector.acceleratorType("NVIDIA H100 80GB HBM3")).contains("H100");
    assertThat(ResourceDetector.acceleratorType("NVIDIA A100-SXM4-40GB")).contains("A100");
    assertThat(ResourceDetector.acceleratorType("Tesla V100-SXM2-16GB")).contains("V100");
    assertThat(ResourceDetector.acceleratorType("Tesla T4")).contains("T4");
    assertThat(ResourceDetector.acceleratorType("NVIDIA L4")).contains("L4");
    assertThat(ResourceDetector.acceleratorType("NVIDIA GeForce RTX 4090")).isEmpty();
    assertThat(ResourceDetector.acceleratorType("garbage")).isEmpty();
  }
}
