package io.troupe.serve.api;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.cluster.NodeProcess;
import io.troupe.serve.http.ServeNodeService;
import io.troupe.serve.http.ServeRestApi;
import io.troupe.serve.http.ServeSystem;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns serving on for nodes started in this JVM (Ray's {@code serve start}): call {@link #enable()}
 * before starting nodes ({@code TroupeNode.start} / {@code LocalCluster.start}). Every head then
 * runs a {@link ServeSystem} (controller, proxy once a config asks for one) and serves
 * {@code /api/serve/applications/} on its REST API; every other node runs a
 * {@link ServeNodeService} (its proxy under {@code proxy_location: EveryNode}).
 *
 * <p>Process-wide, like the runtime's route registry it uses: enabling twice is harmless. A node's
 * serving stops when the node closes (a head's system through {@link #shutdown(NodeId)}, which may
 * also be called earlier).
 */
public final class Serve {
  private static final Map<NodeId, ServeSystem> SYSTEMS = new ConcurrentHashMap<>();
  private static final Map<NodeId, ServeNodeService> NODES = new ConcurrentHashMap<>();
  private static boolean enabled;

  private Serve() {
  }

  /**
   * System property that overrides the proxy port of every node started in this JVM (0: each node
   * picks a free port; find it in {@code GET /api/serve/applications/} under {@code proxies}). For
   * several nodes on one host, where {@code http_options.port} would clash.
   */
  public static final String PROXY_PORT_PROPERTY = "troupe.serve.proxy-port";
  private static volatile OptionalInt proxyPortOverride = OptionalInt.empty();

  /**
   * Registers serving with the runtime; idempotent. Heads run a {@link ServeSystem} (controller,
   * REST API, the head's proxy); every other node runs a {@link ServeNodeService} that starts its
   * proxy when the applied config says {@code proxy_location: EveryNode}. Deployment classes load
   * from the context class loader (else this class's).
   */
  public static synchronized void enable() {
    if (enabled) {
      return;
    }
    enabled = true;
    String prop = System.getProperty(PROXY_PORT_PROPERTY);
    if (prop != null && !prop.isBlank() && proxyPortOverride.isEmpty()) {
      try {
        setProxyPortOverride(OptionalInt.of(Integer.parseInt(prop.trim())));
      } catch (IllegalArgumentException e) {
        throw new ServeException("-D" + PROXY_PORT_PROPERTY + " must be a port 0..65535, got '" + prop + "'");
      }
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
        ? Thread.currentThread().getContextClassLoader() : Serve.class.getClassLoader();
    NodeProcess.registerRestRoutes(troupe -> {
      ServeSystem s = new ServeSystem(troupe, loader, proxyPortOverride);
      ServeSystem prior = SYSTEMS.put(troupe.nodeId(), s);
      if (prior != null) {
        prior.close();
      }
      return new ServeRestApi(s);
    });
    NodeProcess.registerNodeService(node -> {
      if (node.isHead()) {
        return () -> shutdown(node.nodeId());
      }
      ServeNodeService service = new ServeNodeService(node.client(), proxyPortOverride);
      NODES.put(node.nodeId(), service);
      return () -> {
        NODES.remove(node.nodeId(), service);
        service.close();
      };
    });
  }

  /**
   * Makes the proxies of nodes started in this JVM from now on listen on {@code port} instead of
   * {@code http_options.port} (0: any free port); empty restores the config's port.
   */
  public static void setProxyPortOverride(OptionalInt port) {
    if (port.isPresent() && (port.getAsInt() < 0 || port.getAsInt() > 65535)) {
      throw new IllegalArgumentException("proxy port must be 0..65535, got " + port.getAsInt());
    }
    proxyPortOverride = port;
  }

  /** The serving service of a non-head node started in this JVM (its proxy port, once one runs). */
  public static Optional<ServeNodeService> node(NodeId node) {
    return Optional.ofNullable(NODES.get(node));
  }

  /** The serve system of the head {@code head} started in this JVM. */
  public static Optional<ServeSystem> system(NodeId head) {
    return Optional.ofNullable(SYSTEMS.get(head));
  }

  /** Stops the head's controller loop and proxy (replica actors stay until the cluster stops). */
  public static void shutdown(NodeId head) {
    ServeSystem s = SYSTEMS.remove(head);
    if (s != null) {
      s.close();
    }
  }
}
