package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorUnavailableException;
import io.troupe.serve.api.BackPressureException;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.router.QueueLengthProber;
import io.troupe.serve.router.RoutingRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one replica call loop of the data plane, shared by the HTTP proxy and deployment handles: asks the
 * deployment's router for a replica, sends the request, and routes again when the replica was full or
 * draining ({@link ReplicaResult.Rejected}) or died before answering (up to {@link #MAX_DEATH_RETRIES}
 * deaths), until it ends in a {@link CallOutcome}. The router learns each answer's queue length, each
 * death and each request that finished; on timeout the replica is asked to cancel the request.
 *
 * <p><b>Threading.</b> {@link #call} blocks the calling (virtual) thread on the router's assignment and
 * the replica's answer; the object holds no per-call state, so one instance serves concurrent calls.
 * Time is read from the injected clock only.
 */
public final class ReplicaCall {
  private static final System.Logger LOG = System.getLogger(ReplicaCall.class.getName());
  /** Deaths of the called replica after which a request is not retried again. */
  public static final int MAX_DEATH_RETRIES = 3;

  /** What the call needs of a deployment's router ({@link DeploymentRouter}). */
  public interface Routing {
    /**
     * Queues a request; the outer future fails with {@link BackPressureException} when too many wait,
     * the inner one completes with the chosen replica.
     */
    CompletableFuture<CompletableFuture<ReplicaId>> assign(RoutingRequest request);

    void onQueueLength(ReplicaId replica, int length);

    void onReplicaDied(ReplicaId replica);

    void onRequestFinished(ReplicaId replica);
  }

  /** What the call needs of the replicas ({@link ReplicaDirectory}). */
  public interface Replicas {
    /**
     * Sends {@code request} to {@code replica}.
     *
     * @throws QueueLengthProber.ReplicaDeadException when the replica is known to be gone
     */
    CompletableFuture<ReplicaResult> send(ReplicaId replica, ReplicaRequest request);

    /** The caller gave up on {@code call}: asks the replica to stop it. Fire and forget. */
    void cancel(ReplicaId replica, String requestId, CompletableFuture<ReplicaResult> call);
  }

  private final Routing router;
  private final Replicas replicas;
  private final InstantSource clock;
  private final Runnable whileWaiting;
  private final Duration waitPoll;

  /** A call loop that only waits for the router while no replica is free. */
  public ReplicaCall(Routing router, Replicas replicas, InstantSource clock) {
    this(router, replicas, clock, () -> { }, Duration.ofDays(1));
  }

  /**
   * A call loop that runs {@code whileWaiting} (e.g. a routing-table refresh) every {@code waitPoll} while
   * it waits for a replica to be assigned.
   */
  public ReplicaCall(Routing router, Replicas replicas, InstantSource clock, Runnable whileWaiting,
      Duration waitPoll) {
    this.router = router;
    this.replicas = replicas;
    this.clock = clock;
    this.whileWaiting = whileWaiting;
    this.waitPoll = waitPoll;
  }

  /**
   * Routes and sends {@code request} until a replica answers it, or it is refused, fails or passes
   * {@code deadline}. An answer's queue length (which no longer counts the answered request) updates the
   * router; on {@link CallOutcome.Answered} with a {@link StreamRef} the caller reports
   * {@code onRequestFinished} when the stream ends.
   *
   * @param routingKey the prefix-aware router's key, or null
   */
  public CallOutcome call(ReplicaRequest request, String routingKey, Instant deadline) throws InterruptedException {
    RoutingRequest routing = RoutingRequest.withRoutingKey(request.requestId(), routingKey);
    int deaths = 0;
    while (true) {
      ReplicaId replica;
      try {
        replica = assign(routing, deadline);
      } catch (TimeoutException e) {
        return new CallOutcome.TimedOut();
      } catch (ExecutionException e) {
        return e.getCause() instanceof BackPressureException bp ? new CallOutcome.Overloaded(bp)
            : new CallOutcome.Failed(Optional.empty(), e.getCause());
      }
      CompletableFuture<ReplicaResult> call;
      try {
        call = replicas.send(replica, request);
      } catch (QueueLengthProber.ReplicaDeadException e) {
        router.onReplicaDied(replica);
        continue;
      }
      ReplicaResult result;
      try {
        result = call.get(remaining(deadline), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        router.onRequestFinished(replica);
        replicas.cancel(replica, request.requestId(), call);
        return new CallOutcome.TimedOut();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (DeploymentRouter.isDeath(cause) || cause instanceof ActorUnavailableException) {
          router.onReplicaDied(replica);
          if (++deaths > MAX_DEATH_RETRIES) {
            return new CallOutcome.DiedTooOften(deaths, cause);
          }
          LOG.log(System.Logger.Level.INFO, "replica " + replica + " died before answering; retrying elsewhere");
          continue;
        }
        router.onRequestFinished(replica);
        return new CallOutcome.Failed(Optional.of(replica), cause);
      }
      router.onQueueLength(replica, result.queueLength());
      switch (result) {
        case ReplicaResult.Ok ok -> {
          return new CallOutcome.Answered(replica, ok.value());
        }
        case ReplicaResult.Failed f -> {
          return new CallOutcome.UserError(replica, f.errorId(), f.error());
        }
        case ReplicaResult.Rejected r -> {
          // full or draining: route again (the router backs off once every candidate is full)
        }
      }
    }
  }

  /** Waits for the router to pick a replica, running {@link #whileWaiting} every {@link #waitPoll}. */
  private ReplicaId assign(RoutingRequest request, Instant deadline)
      throws InterruptedException, TimeoutException, ExecutionException {
    long left = remaining(deadline); // nothing is queued for a request already out of time
    CompletableFuture<ReplicaId> assigned = router.assign(request).get(left, TimeUnit.NANOSECONDS);
    while (true) {
      try {
        return assigned.get(Math.min(remaining(deadline), waitPoll.toNanos()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        if (!clock.instant().isBefore(deadline)) {
          assigned.cancel(false);
          throw e;
        }
        whileWaiting.run(); // no replica yet, or all full: maybe the table changed
      }
    }
  }

  private long remaining(Instant deadline) throws TimeoutException {
    long left = Duration.between(clock.instant(), deadline).toNanos();
    if (left <= 0) {
      throw new TimeoutException();
    }
    return left;
  }
}
