package io.troupe.runtime.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to start one Troupe node (one JVM process in the cluster). Build with {@link #builder()};
 * every field has a documented default.
 *
 * @param head true for the head node (runs the control service and the REST API)
 * @param host address to bind and advertise for cluster traffic; default 127.0.0.1
 * @param port cluster port; default 6380 for the head, 0 (any free port) for workers
 * @param headAddress {@code host:port} of the head to join; required for workers, ignored for the head
 * @param dashboardHost REST API bind address (head only); default 127.0.0.1
 * @param dashboardPort REST API port (head only); default 8265; 0 picks a free port;
 *     {@link #NO_DASHBOARD} starts none
 * @param dashboardToken bearer token the REST API requires; required when dashboardHost is not loopback
 * @param numCpus logical CPUs; null detects the available processors
 * @param numGpus logical GPUs; null detects them with nvidia-smi (0 when absent)
 * @param gpuIds GPU instance ids; null uses detected ids, or "0".."n-1" for declared GPUs
 * @param memoryBytes memory to offer; null takes 70% of the machine's physical memory
 * @param resources custom resources, e.g. {"accelerator_type:H100": 1}
 * @param labels node labels for label selectors, e.g. {"zone": "a"}
 * @param joinTimeout how long a worker tries to join before giving up; default 20 s
 * @param failureDetection how long a silent node stays "unreachable" before it is declared dead;
 *     default 10 s (tests use less)
 * @param stateDir head only: directory where the control state (actors, placement groups, known
 *     nodes) is persisted; a head restarted with the same directory rejoins the surviving nodes and
 *     recovers it. Null (default) keeps it in memory only.
 * @param metricsPort port of this node's own {@code GET /metrics} server, bound to {@code host};
 *     0 picks a free port; {@link #NO_METRICS_SERVER} (default) starts none (the head also serves
 *     {@code /metrics} on its REST API, and a serving proxy on its HTTP port)
 * @param extensions what layers above the runtime add to this node (e.g. serving's
 *     {@code ServeExtension}), attached in this order; default none (a bare runtime node)
 */
public record NodeConfig(
    boolean head,
    String host,
    int port,
    String headAddress,
    String dashboardHost,
    int dashboardPort,
    String dashboardToken,
    Double numCpus,
    Integer numGpus,
    List<String> gpuIds,
    Long memoryBytes,
    Map<String, Double> resources,
    Map<String, String> labels,
    Duration joinTimeout,
    Duration failureDetection,
    java.nio.file.Path stateDir,
    int metricsPort,
    List<io.troupe.runtime.spi.NodeExtension> extensions) {

  public static final int DEFAULT_HEAD_PORT = 6380;
  public static final int DEFAULT_DASHBOARD_PORT = 8265;
  /** {@code dashboardPort} value that starts no REST API on the head (embedded use). */
  public static final int NO_DASHBOARD = -1;
  /** {@code metricsPort} value that starts no separate metrics server (the default). */
  public static final int NO_METRICS_SERVER = -1;

  /** The constructor without {@code metricsPort} (no separate metrics server); kept for callers. */
  public NodeConfig(boolean head, String host, int port, String headAddress, String dashboardHost,
      int dashboardPort, String dashboardToken, Double numCpus, Integer numGpus, List<String> gpuIds,
      Long memoryBytes, Map<String, Double> resources, Map<String, String> labels, Duration joinTimeout,
      Duration failureDetection, java.nio.file.Path stateDir) {
    this(head, host, port, headAddress, dashboardHost, dashboardPort, dashboardToken, numCpus, numGpus, gpuIds,
        memoryBytes, resources, labels, joinTimeout, failureDetection, stateDir, NO_METRICS_SERVER, List.of());
  }

  public NodeConfig {
    Objects.requireNonNull(host, "host");
    resources = resources == null ? Map.of() : Map.copyOf(resources);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    gpuIds = gpuIds == null ? null : List.copyOf(gpuIds);
    extensions = extensions == null ? List.of() : List.copyOf(extensions);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.head = head;
    b.host = host;
    b.port = port;
    b.headAddress = headAddress;
    b.dashboardHost = dashboardHost;
    b.dashboardPort = dashboardPort;
    b.dashboardToken = dashboardToken;
    b.numCpus = numCpus;
    b.numGpus = numGpus;
    b.gpuIds = gpuIds;
    b.memoryBytes = memoryBytes;
    b.resources = resources;
    b.labels = labels;
    b.joinTimeout = joinTimeout;
    b.failureDetection = failureDetection;
    b.stateDir = stateDir;
    b.metricsPort = metricsPort;
    b.extensions = extensions;
    return b;
  }

  /** Builder with the defaults documented on {@link NodeConfig}. */
  public static final class Builder {
    private boolean head;
    private String host = "127.0.0.1";
    private Integer port;
    private String headAddress;
    private String dashboardHost = "127.0.0.1";
    private int dashboardPort = DEFAULT_DASHBOARD_PORT;
    private String dashboardToken;
    private Double numCpus;
    private Integer numGpus;
    private List<String> gpuIds;
    private Long memoryBytes;
    private Map<String, Double> resources = Map.of();
    private Map<String, String> labels = Map.of();
    private Duration joinTimeout = Duration.ofSeconds(20);
    private Duration failureDetection = Duration.ofSeconds(10);
    private java.nio.file.Path stateDir;
    private int metricsPort = NO_METRICS_SERVER;
    private List<io.troupe.runtime.spi.NodeExtension> extensions = List.of();

    public Builder head(boolean v) { head = v; return this; }
    public Builder host(String v) { host = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder headAddress(String v) { headAddress = v; return this; }
    public Builder dashboardHost(String v) { dashboardHost = v; return this; }
    public Builder dashboardPort(int v) { dashboardPort = v; return this; }
    public Builder dashboardToken(String v) { dashboardToken = v; return this; }
    public Builder numCpus(Double v) { numCpus = v; return this; }
    public Builder numGpus(Integer v) { numGpus = v; return this; }
    public Builder gpuIds(List<String> v) { gpuIds = v; return this; }
    public Builder memoryBytes(Long v) { memoryBytes = v; return this; }
    public Builder resources(Map<String, Double> v) { resources = v; return this; }
    public Builder labels(Map<String, String> v) { labels = v; return this; }
    public Builder joinTimeout(Duration v) { joinTimeout = v; return this; }
    public Builder failureDetection(Duration v) { failureDetection = v; return this; }
    public Builder stateDir(java.nio.file.Path v) { stateDir = v; return this; }
    public Builder metricsPort(int v) { metricsPort = v; return this; }
    public Builder extensions(List<io.troupe.runtime.spi.NodeExtension> v) { extensions = v; return this; }

    public NodeConfig build() {
      int p = port != null ? port : (head ? DEFAULT_HEAD_PORT : 0);
      return new NodeConfig(head, host, p, headAddress, dashboardHost, dashboardPort, dashboardToken,
          numCpus, numGpus, gpuIds, memoryBytes, resources, labels, joinTimeout, failureDetection, stateDir,
          metricsPort, extensions);
    }
  }
}
