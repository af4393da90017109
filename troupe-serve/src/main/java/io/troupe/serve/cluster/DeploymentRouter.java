package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.metrics.ServeMetrics;
import io.troupe.serve.controller.RoutingTable;
import io.troupe.serve.api.RequestRouterConfig;
import io.troupe.serve.router.RoutingPolicies;
import io.troupe.serve.router.QueueLengthProber;
import io.troupe.serve.router.RequestRouter;
import io.troupe.serve.router.RouterConfig;
import io.troupe.serve.router.RoutingRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link RequestRouter} for one deployment, with the policy its routing table's
 * {@code request_router} names (power of two choices by default; a changed one replaces the policy): the
 * router is not thread-safe, so it lives on its own single daemon thread and every input is handed
 * to that thread; {@link RequestRouter#tick()} is scheduled at its {@link RequestRouter#nextWakeup()}.
 * Queue-length probes are actor calls to {@code ReplicaActor.queueLength}. Shared by the HTTP proxy and
 * {@link io.troupe.serve.api.DeploymentHandle} calls. Requests waiting for a replica count in the
 * node's {@code troupe_serve_deployment_queued_queries} ({@link ServeMetrics#queuedQueries}). Thread-safe.
 */
public final class DeploymentRouter implements ReplicaCall.Routing, AutoCloseable {
  private final ScheduledExecutorService owner;
  private final RequestRouter router;
  private volatile RoutingTable table;
  private final ReplicaDirectory directory;
  private ScheduledFuture<?> wake;
  private final Random random = new Random();
  /** The policy in use; touched on the owner thread only. */
  private RequestRouterConfig policyConfig = RequestRouterConfig.POW2;
  private final java.util.concurrent.atomic.AtomicInteger queued;

  /** A router of {@code deployment} whose waiting requests count in the node's {@code metrics}. */
  public DeploymentRouter(DeploymentId deployment, NodeId localNode, ReplicaDirectory directory,
      ServeMetrics metrics) {
    this(deployment.toString(), localNode, directory, metrics.queuedQueries(deployment));
  }

  /** A router whose waiting requests are not counted in any metrics. */
  public DeploymentRouter(String deployment, NodeId localNode, ReplicaDirectory directory) {
    this(deployment, localNode, directory, new java.util.concurrent.atomic.AtomicInteger());
  }

  private DeploymentRouter(String deployment, NodeId localNode, ReplicaDirectory directory,
      java.util.concurrent.atomic.AtomicInteger queued) {
    this.queued = queued;
    this.directory = directory;
    this.owner = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-router-" + deployment);
      t.setDaemon(true);
      return t;
    });
    QueueLengthProber prober = id -> {
      try {
        return directory.handle(id).call(ReplicaActor::queueLength).exceptionally(ex -> {
          throw isDeath(ex) ? new QueueLengthProber.ReplicaDeadException(String.valueOf(ex.getMessage()))
              : ex instanceof CompletionException ce ? ce : new CompletionException(ex);
        });
      } catch (QueueLengthProber.ReplicaDeadException e) {
        return CompletableFuture.failedFuture(e);
      }
    };
    this.router = new RequestRouter(deployment, localNode, RoutingPolicies.create(policyConfig, random), prober,
        Clock.systemUTC(), random, RouterConfig.DEFAULT, owner);
  }

  public static boolean isDeath(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ActorDiedException || t instanceof QueueLengthProber.ReplicaDeadException;
  }

  /** The controller's routing table; applied only when it changed. */
  public void update(RoutingTable t) {
    if (t.equals(table)) {
      return;
    }
    table = t;
    t.replicas().forEach(r -> r.actor().ifPresent(a -> directory.learn(r.id(), a)));
    onOwner(() -> {
      if (!t.requestRouter().equals(policyConfig)) {
        policyConfig = t.requestRouter();
        router.usePolicy(RoutingPolicies.create(policyConfig, random));
      }
      Map<ReplicaId, NodeId> replicas = new LinkedHashMap<>();
      t.replicas().forEach(r -> replicas.put(r.id(), r.node()));
      router.updateReplicas(replicas, t.maxOngoingRequests(), t.maxQueuedRequests());
    });
  }

  /**
   * Queues a request; the outer future fails with {@link io.troupe.serve.api.BackPressureException}
   * when max_queued_requests are waiting, the inner one completes with the chosen replica.
   */
  @Override
  public CompletableFuture<CompletableFuture<ReplicaId>> assign(RoutingRequest request) {
    CompletableFuture<CompletableFuture<ReplicaId>> f = new CompletableFuture<>();
    queued.incrementAndGet();
    f.whenComplete((assigned, refused) -> {
      if (refused != null) {
        queued.decrementAndGet();
      } else {
        assigned.whenComplete((r, e) -> queued.decrementAndGet());
      }
    });
    onOwner(() -> {
      try {
        f.complete(router.assign(request));
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  @Override
  public void onQueueLength(ReplicaId id, int length) {
    onOwner(() -> router.onQueueLength(id, length));
  }

  @Override
  public void onReplicaDied(ReplicaId id) {
    onOwner(() -> router.onReplicaDied(id));
  }

  @Override
  public void onRequestFinished(ReplicaId id) {
    onOwner(() -> router.onRequestFinished(id));
  }

  private void onOwner(Runnable r) {
    owner.execute(() -> {
      r.run();
      rearm();
    });
  }

  /** Schedules the next tick at the router's next back-off or probe deadline. */
  private void rearm() {
    router.nextWakeup().ifPresent(at -> {
      if (wake != null && !wake.isDone()) {
        wake.cancel(false);
      }
      long delay = Math.max(1, Duration.between(Instant.now(), at).toMillis());
      wake = owner.schedule(() -> {
        router.tick();
        rearm();
      }, delay, TimeUnit.MILLISECONDS);
    });
  }

  @Override
  public void close() {
    owner.shutdownNow();
  }
}
