package io.troupe.runtime.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Embedded mode: a whole cluster (a head and worker nodes) inside this JVM, on loopback with free
 * ports, for tests, examples and exploration. Nodes talk over real cluster transport, exactly as
 * separate processes do. Close it to stop every node.
 *
 * <pre>{@code
 * try (LocalCluster cluster = Troupe.local(2)) {
 *   ActorHandle<Counter> c = cluster.troupe().createActor(Counter.class, ActorOptions.DEFAULT);
 *   int n = c.call(Counter::increment).join();
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
  private final List<TroupeNode> nodes;

  private LocalCluster(List<TroupeNode> nodes) {
    this.nodes = nodes;
  }

  public static LocalCluster start(Options options) {
    List<TroupeNode> started = new ArrayList<>();
    try {
      TroupeNode head = TroupeNode.start(options.nodeConfig(true, null, 0));
      started.add(head);
      for (int i = 0; i < options.workers(); i++) {
        started.add(TroupeNode.start(options.nodeConfig(false, head.address(), i)));
      }
      return new LocalCluster(List.copyOf(started));
    } catch (RuntimeException e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).close();
      }
      throw e;
    }
  }

  /** A client running through the head node. */
  public Troupe troupe() {
    return head().client();
  }

  public TroupeNode head() {
    return nodes.get(0);
  }

  /** Worker {@code i} (0-based). */
  public TroupeNode worker(int i) {
    return nodes.get(i + 1);
  }

  public List<TroupeNode> nodes() {
    return nodes;
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  /**
   * @param workers number of worker nodes besides the head
   * @param cpusPerNode logical CPUs of every node
   * @param gpusPerWorker logical GPUs of each worker (the head gets none)
   * @param memoryPerNode bytes of memory of every node
   * @param workerLabels labels of worker i, by index (missing: none)
   * @param failureDetection time to declare a silent node dead
   * @param dashboard whether the head serves the REST API (on a free port)
   * @param workerMetrics whether each worker serves its own {@code /metrics} ({@code NodeConfig.metricsPort} 0:
   *     a free port), advertised cluster-wide like those of {@code troupe start --metrics-port}
   * @param extensions the {@link io.troupe.runtime.spi.NodeExtension}s every node runs (e.g. serving's
   *     {@code ServeExtension}); none by default
   */
  public record Options(int workers, double cpusPerNode, int gpusPerWorker, long memoryPerNode,
      List<Map<String, String>> workerLabels, Duration failureDetection, boolean dashboard, boolean workerMetrics,
      List<io.troupe.runtime.spi.NodeExtension> extensions) {
    /** Without worker metrics servers or extensions. */
    public Options(int workers, double cpusPerNode, int gpusPerWorker, long memoryPerNode,
        List<Map<String, String>> workerLabels, Duration failureDetection, boolean dashboard) {
      this(workers, cpusPerNode, gpusPerWorker, memoryPerNode, workerLabels, failureDetection, dashboard, false,
          List.of());
    }

    public Options {
      Objects.requireNonNull(failureDetection);
      workerLabels = List.copyOf(workerLabels);
      extensions = List.copyOf(extensions);
    }

    NodeConfig nodeConfig(boolean head, String headAddress, int workerIndex) {
      NodeConfig.Builder b = NodeConfig.builder().head(head).port(0).headAddress(headAddress)
          .numCpus(cpusPerNode).numGpus(head ? 0 : gpusPerWorker).memoryBytes(memoryPerNode)
          .failureDetection(failureDetection).dashboardPort(0).extensions(extensions);
      if (!head && workerIndex < workerLabels.size()) {
        b.labels(workerLabels.get(workerIndex));
      }
      if (head && !dashboard) {
        b.dashboardPort(NodeConfig.NO_DASHBOARD);
      }
      if (!head && workerMetrics) {
        b.metricsPort(0);
      }
      return b.build();
    }

    public static Builder builder() {
      return new Builder();
    }

    /** Defaults: 2 workers, 4 CPUs per node, no GPUs, 4 GiB per node, 5 s failure detection. */
    public static final class Builder {
      private int workers = 2;
      private double cpus = 4;
      private int gpus;
      private long memory = 4L << 30;
      private List<Map<String, String>> labels = List.of();
      private Duration failureDetection = Duration.ofSeconds(5);
      private boolean dashboard = true;
      private boolean workerMetrics;
      private final List<io.troupe.runtime.spi.NodeExtension> extensions = new ArrayList<>();

      public Builder workers(int v) { workers = v; return this; }
      public Builder cpusPerNode(double v) { cpus = v; return this; }
      public Builder gpusPerWorker(int v) { gpus = v; return this; }
      public Builder memoryPerNode(long v) { memory = v; return this; }
      public Builder workerLabels(List<Map<String, String>> v) { labels = v; return this; }
      public Builder failureDetection(Duration v) { failureDetection = v; return this; }
      public Builder dashboard(boolean v) { dashboard = v; return this; }
      public Builder workerMetrics(boolean v) { workerMetrics = v; return this; }
      /** Adds an extension every node runs. */
      public Builder extension(io.troupe.runtime.spi.NodeExtension v) { extensions.add(v); return this; }

      public Options build() {
        return new Options(workers, cpus, gpus, memory, labels, failureDetection, dashboard, workerMetrics,
            extensions);
      }
    }
  }
}
