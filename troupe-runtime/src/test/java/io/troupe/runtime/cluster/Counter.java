package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorContext;
import java.util.ArrayList;
import java.util.List;

/** Test actor: counts, records call order, reports where it runs. */
public class Counter {
  private int value;
  private final List<Integer> seen = new ArrayList<>();

  public Counter() {
    this(0);
  }

  public Counter(Integer start) {
    this.value = start;
  }

  public int add(Integer n) {
    value += n;
    seen.add(n);
    return value;
  }

  public int get() {
    return value;
  }

  public List<Integer> seen() {
    return new ArrayList<>(seen);
  }

  public String node() {
    return ActorContext.current().orElseThrow().nodeId().value();
  }

  public List<String> gpus() {
    return new ArrayList<>(ActorContext.current().orElseThrow().gpuIds());
  }

  /** Runs a child process and returns the CUDA_VISIBLE_DEVICES it saw. */
  public String childCudaDevices() throws Exception {
    Process p = ActorContext.current().orElseThrow()
        .processBuilder("sh", "-c", "printf %s \"$CUDA_VISIBLE_DEVICES\"").start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }

  public String fail(String message) {
    throw new IllegalStateException(message);
  }
}
