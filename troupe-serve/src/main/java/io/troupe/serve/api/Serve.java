package io.troupe.serve.api;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.cluster.NodeProcess;
import io.troupe.serve.http.ServeRestApi;
import io.troupe.serve.http.ServeSystem;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns serving on for heads started in this JVM (Ray's {@code serve start}): call {@link #enable()}
 * before starting the head ({@code TroupeNode.start} / {@code LocalCluster.start}). Every head then
 * runs a {@link ServeSystem} (controller, proxy once a config asks for one) and serves
 * {@code /api/serve/applications/} on its REST API.
 *
 * <p>Process-wide, like the runtime's route registry it uses: enabling twice is harmless. The
 * runtime has no head-stopped hook yet, so a closed head's system keeps its daemon threads and the
 * proxy port until {@link #shutdown(NodeId)} (tests call it; a CLI process simply exits).
 */
public final class Serve {
  private static final Map<NodeId, ServeSystem> SYSTEMS = new ConcurrentHashMap<>();
  private static boolean enabled;

  private Serve() {
  }

  /** Registers serving with the runtime; idempotent. Deployment classes load from this class's loader. */
  public static synchronized void enable() {
    if (enabled) {
      return;
    }
    enabled = true;
    ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
        ? Thread.currentThread().getContextClassLoader() : Serve.class.getClassLoader();
    NodeProcess.registerRestRoutes(troupe -> {
      ServeSystem s = new ServeSystem(troupe, loader);
      ServeSystem prior = SYSTEMS.put(troupe.nodeId(), s);
      if (prior != null) {
        prior.close();
      }
      return new ServeRestApi(s);
    });
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
