package io.troupe.bench.serve;

import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark caller: a deployment that calls {@link Leaf} through the {@link DeploymentHandle} its
 * constructor received, timed inside the replica so the driver's own hop is not in the figure.
 */
public class Fanout {
  private final DeploymentHandle<Leaf> leaf;

  public Fanout(DeploymentHandle<Leaf> leaf) {
    this.leaf = leaf;
  }

  public ServeResponse handle(ServeRequest request) throws Exception {
    return ServeResponse.ok(leaf.<String>remote("node").get(30, TimeUnit.SECONDS));
  }

  /**
   * {@code calls} handle calls with at most {@code inFlight} outstanding; answers
   * "elapsedNanos,callsAnsweredOnThisNode,failures".
   */
  public String burst(Integer calls, Integer inFlight) throws InterruptedException {
    String self = BenchNodes.current();
    Semaphore window = new Semaphore(inFlight);
    AtomicInteger local = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    CompletableFuture<?>[] all = new CompletableFuture<?>[calls];
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      window.acquire();
      all[i] = leaf.<String>remote("node").whenComplete((node, e) -> {
        if (e != null) {
          failed.incrementAndGet();
        } else if (self.equals(node)) {
          local.incrementAndGet();
        }
        window.release();
      });
    }
    CompletableFuture.allOf(all).exceptionally(e -> null).join();
    return (System.nanoTime() - t0) + "," + local.get() + "," + failed.get();
  }

  /** {@code calls} sequential handle calls; answers "selfNode;leafNodes;lat1,lat2,..." (nanos). */
  public String probe(Integer calls) throws Exception {
    String self = BenchNodes.current();
    StringJoiner lat = new StringJoiner(",");
    java.util.Set<String> leafNodes = new java.util.TreeSet<>();
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      String node = leaf.<String>remote("node").get(30, TimeUnit.SECONDS);
      lat.add(Long.toString(System.nanoTime() - t0));
      leafNodes.add(node);
    }
    return self + ";" + String.join("+", leafNodes) + ";" + lat;
  }
}
