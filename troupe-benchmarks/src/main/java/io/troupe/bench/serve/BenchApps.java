package io.troupe.bench.serve;

import io.troupe.runtime.api.ResourceSet;
import io.troupe.serve.api.Application;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.api.DeploymentConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The applications {@link ServeBenchmark} deploys ({@code import_path: io.troupe.bench.serve.BenchApps:<name>}).
 * Every deployment allows 128 ongoing requests so that routing, not the replica's limit, is measured.
 */
public final class BenchApps {
  /** Deployments in {@link #chain()}. */
  public static final int CHAIN_LENGTH = 10;

  private BenchApps() {
  }

  static DeploymentConfig.Builder cfg(String name, double cpus, int replicas) {
    return DeploymentConfig.builder().name(name).numReplicas(replicas).maxOngoingRequests(128)
        .resources(Map.of(ResourceSet.CPU, cpus))
        .gracefulShutdownWaitLoop(Duration.ofMillis(100)).gracefulShutdownTimeout(Duration.ofSeconds(1));
  }

  /** One no-op replica. */
  public static Application noop() {
    return Application.of(BoundDeployment.bind(Noop.class, cfg("Noop", 0.1, 1)));
  }

  /** Fanout → Leaf, both small (the scheduler places them). */
  public static Application handles() {
    return Application.of(BoundDeployment.bind(Fanout.class, cfg("Fanout", 0.1, 1),
        BoundDeployment.bind(Leaf.class, cfg("Leaf", 0.1, 1))));
  }

  /** Fanout (0.1 CPU) → Leaf (0.1 CPU): small enough to share a node; the probe reports where they ran. */
  public static Application hopSame() {
    return handles();
  }

  /** Fanout (3 CPUs) → Leaf (3 CPUs) on 4-CPU nodes: never on the same node. */
  public static Application hopCross() {
    return Application.of(BoundDeployment.bind(Fanout.class, cfg("Fanout", 3, 1),
        BoundDeployment.bind(Leaf.class, cfg("Leaf", 3, 1))));
  }

  /** Fanout (1 CPU) → Leaf ×3 (3 CPUs each, one per 4-CPU node): a Leaf shares the Fanout's node, preferred by the router. */
  public static Application hopLocal() {
    return Application.of(BoundDeployment.bind(Fanout.class, cfg("Fanout", 1, 1),
        BoundDeployment.bind(Leaf.class, cfg("Leaf", 3, 3))));
  }

  /** Link0 → Link1 → … → Link8 → End: {@link #CHAIN_LENGTH} deployments, each calling the next by handle. */
  public static Application chain() {
    return chain(0.1);
  }

  /** The chain with 0.9 CPU per deployment: at most 4 fit a 4-CPU node, so it spans all 3 nodes. */
  public static Application chainSpread() {
    return chain(0.9);
  }

  private static Application chain(double cpus) {
    BoundDeployment next = BoundDeployment.bind(ChainEnd.class, cfg("End", cpus, 1));
    for (int i = CHAIN_LENGTH - 2; i >= 0; i--) {
      next = BoundDeployment.bind(ChainLink.class, cfg("Link" + i, cpus, 1), next);
    }
    return Application.of(next);
  }
}
