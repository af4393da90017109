package io.troupe.serve.router;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.BackPressureException;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.ReplicaId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The caller-side routing machinery of one deployment (Ray Serve's {@code RequestRouter} base):
 * requests wait in a FIFO queue; the head is routed first, by asking the {@link RoutingPolicy} for
 * ranked tiers, probing queue lengths it does not know (cached for {@link RouterConfig#queueLengthCacheTtl}),
 * and picking the shortest queue below {@code max_ongoing_requests} (equal queues: one at random, from the
 * injected {@link RandomGenerator}). When every candidate is full
 * the head backs off ({@link RouterConfig#backoff}) and is ranked again. Replicas reported dead are
 * dropped at once. More than {@code max_queued_requests} waiting requests are refused with
 * {@link BackPressureException}.
 *
 * <p><b>Threading.</b> Not thread-safe: every method runs on one owner thread (an actor, or a
 * serial executor). Probe replies are handed to the owner {@link Executor}. Call {@link #tick()}
 * periodically or at {@link #nextWakeup()} so back-offs and probe timeouts advance.
 *
 * <p><b>Authority.</b> The replica set comes from the controller ({@link #updateReplicas}); queue
 * lengths are hints (replicas enforce {@code max_ongoing_requests} themselves).
 */
public final class RequestRouter {
  private final String deployment;
  private final NodeId localNode;
  private RoutingPolicy policy;
  private final QueueLengthProber prober;
  private final InstantSource clock;
  private final RouterConfig config;
  private final Executor owner;
  private final RandomGenerator random;
  private final Map<ReplicaId, NodeId> replicas = new LinkedHashMap<>();
  private final Map<ReplicaId, Cached> cache = new HashMap<>();
  private final Map<ReplicaId, Instant> probing = new HashMap<>();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int maxOngoing = DeploymentConfig.DEFAULT_MAX_ONGOING_REQUESTS;
  private int maxQueued = DeploymentConfig.UNLIMITED;
  private long seq;
  private boolean ticking;
  private boolean tickAgain;

  /** A queue length, when it was learnt, and a sequence number ordering it against rankings. */
  private record Cached(int queueLength, Instant at, long seq) {
  }

  private static final class Pending {
    final RoutingRequest request;
    final CompletableFuture<ReplicaId> future = new CompletableFuture<>();
    int attempt;
    Instant notBefore = Instant.MIN;
    long rankedSeq;
    List<List<ReplicaId>> tiers;

    Pending(RoutingRequest request) {
      this.request = request;
    }
  }

  private sealed interface Decision {
    record Chosen(ReplicaId id) implements Decision {
    }

    record AwaitProbes() implements Decision {
    }

    record AllFull() implements Decision {
    }
  }

  /** @param random breaks ties between replicas with equal queue lengths */
  public RequestRouter(String deployment, NodeId localNode, RoutingPolicy policy, QueueLengthProber prober,
      InstantSource clock, RandomGenerator random, RouterConfig config, Executor owner) {
    this.deployment = deployment;
    this.localNode = localNode;
    this.policy = policy;
    this.prober = prober;
    this.clock = clock;
    this.config = config;
    this.owner = owner;
    this.random = random;
  }

  // ------------------------------------------------------------------ inputs

  /** The controller's current replica set and limits (long-poll update); unknown replicas are dropped. */
  public void updateReplicas(Map<ReplicaId, NodeId> routable, int maxOngoingRequests, int maxQueuedRequests) {
    replicas.clear();
    replicas.putAll(routable);
    cache.keySet().retainAll(routable.keySet());
    probing.keySet().retainAll(routable.keySet());
    maxOngoing = maxOngoingRequests;
    maxQueued = maxQueuedRequests;
    policy.onReplicasChanged(Set.copyOf(routable.keySet()));
    tick();
  }

  /**
   * Routes with {@code next} from now on (the deployment's {@code request_router} changed); it learns the
   * current replicas, and waiting requests are ranked again.
   */
  public void usePolicy(RoutingPolicy next) {
    policy = next;
    next.onReplicasChanged(Set.copyOf(replicas.keySet()));
    queue.forEach(p -> p.tiers = null);
    tick();
  }

  /**
   * Queues a request; the future completes with the replica to send it to, in FIFO order. Throws
   * {@link BackPressureException} when {@code max_queued_requests} are already waiting. Cancelling
   * the future removes the request.
   */
  public CompletableFuture<ReplicaId> assign(RoutingRequest request) {
    if (maxQueued != DeploymentConfig.UNLIMITED && waiting() >= maxQueued) {
      throw new BackPressureException(deployment, waiting(), maxQueued);
    }
    Pending p = new Pending(request);
    queue.add(p);
    tick();
    return p.future;
  }

  /** A replica is dead (failed call, probe or controller update): never routed to again. */
  public void onReplicaDied(ReplicaId id) {
    if (replicas.remove(id) != null) {
      policy.onReplicasChanged(Set.copyOf(replicas.keySet()));
    }
    cache.remove(id);
    probing.remove(id);
    tick();
  }

  /** A request sent to {@code id} finished: its cached queue length drops by one. */
  public void onRequestFinished(ReplicaId id) {
    Cached c = cache.get(id);
    if (c != null) {
      cache.put(id, new Cached(Math.max(0, c.queueLength - 1), c.at, c.seq));
    }
    tick();
  }

  /** A replica told us its queue length (probe reply, or piggy-backed on a response or rejection). */
  public void onQueueLength(ReplicaId id, int queueLength) {
    if (replicas.containsKey(id)) {
      cache.put(id, new Cached(queueLength, clock.instant(), ++seq));
    }
    tick();
  }

  // ------------------------------------------------------------------ the machinery

  /** Routes as many queued requests as possible, in order. Re-entrant calls are folded into the running one. */
  public void tick() {
    if (ticking) {
      tickAgain = true;
      return;
    }
    ticking = true;
    try {
      do {
        tickAgain = false;
        route();
      } while (tickAgain);
    } finally {
      ticking = false;
    }
  }

  private void route() {
    Instant now = clock.instant();
    expireProbes(now);
    while (!queue.isEmpty()) {
      Pending head = queue.peek();
      if (head.future.isDone()) {
        queue.poll();
        continue;
      }
      if (now.isBefore(head.notBefore) || replicas.isEmpty()) {
        return;
      }
      if (head.tiers == null) {
        head.rankedSeq = ++seq;
        head.tiers = policy.rank(new RoutingContext(head.request, candidates(now), maxOngoing, head.attempt));
      }
      switch (decide(head, now)) {
        case Decision.Chosen c -> {
          queue.poll();
          Cached prior = cache.get(c.id());
          cache.put(c.id(), new Cached(prior.queueLength + 1, prior.at, prior.seq));
          policy.onAssigned(head.request, c.id());
          head.future.complete(c.id());
        }
        case Decision.AwaitProbes a -> {
          return;
        }
        case Decision.AllFull f -> {
          head.notBefore = now.plus(config.backoffFor(head.attempt));
          head.attempt++;
          head.tiers = null;
          return;
        }
      }
    }
  }

  private Decision decide(Pending head, Instant now) {
    for (List<ReplicaId> tier : head.tiers) {
      boolean awaiting = false;
      ReplicaId best = null;
      int bestLen = Integer.MAX_VALUE;
      int ties = 0;
      for (ReplicaId id : tier) {
        if (!replicas.containsKey(id)) {
          continue; // died since ranking
        }
        Cached c = usable(id, head, now);
        if (c == null) {
          awaiting = true;
          probe(id, now);
        } else if (c.queueLength < maxOngoing && c.queueLength < bestLen) {
          best = id;
          bestLen = c.queueLength;
          ties = 1;
        } else if (c.queueLength < maxOngoing && c.queueLength == bestLen && random.nextInt(++ties) == 0) {
          best = id; // reservoir sampling: each of the equally short queues is chosen with equal chance
        }
      }
      if (awaiting) {
        return new Decision.AwaitProbes();
      }
      if (best != null) {
        return new Decision.Chosen(best);
      }
    }
    return new Decision.AllFull();
  }

  /**
   * A cached length fresh enough to decide on. After a back-off, a "full" reading learnt before this
   * ranking is probed again (slots free up on replicas without this caller hearing of it).
   */
  private Cached usable(ReplicaId id, Pending head, Instant now) {
    Cached c = cache.get(id);
    if (c == null || !now.isBefore(c.at.plus(config.queueLengthCacheTtl()))) {
      return null;
    }
    if (c.queueLength >= maxOngoing && head.attempt > 0 && c.seq < head.rankedSeq) {
      return null;
    }
    return c;
  }

  private void probe(ReplicaId id, Instant now) {
    if (probing.containsKey(id)) {
      return;
    }
    probing.put(id, now);
    try {
      prober.probe(id).whenCompleteAsync((len, err) -> onProbeReply(id, len, err), owner);
    } catch (RuntimeException e) {
      onProbeReply(id, null, e);
    }
  }

  private void onProbeReply(ReplicaId id, Integer len, Throwable err) {
    probing.remove(id);
    Throwable cause = err instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : err;
    if (cause instanceof QueueLengthProber.ReplicaDeadException) {
      onReplicaDied(id);
      return;
    }
    if (replicas.containsKey(id)) {
      // A failed probe counts as full for this round; it is probed again after the back-off.
      cache.put(id, new Cached(cause == null ? len : maxOngoing, clock.instant(), ++seq));
    }
    tick();
  }

  private void expireProbes(Instant now) {
    for (Map.Entry<ReplicaId, Instant> e : List.copyOf(probing.entrySet())) {
      if (!now.isBefore(e.getValue().plus(config.probeTimeout()))) {
        probing.remove(e.getKey());
        cache.put(e.getKey(), new Cached(maxOngoing, now, ++seq));
      }
    }
  }

  private List<ReplicaCandidate> candidates(Instant now) {
    List<ReplicaCandidate> out = new ArrayList<>();
    replicas.forEach((id, node) -> {
      Cached c = cache.get(id);
      boolean fresh = c != null && now.isBefore(c.at.plus(config.queueLengthCacheTtl()));
      out.add(new ReplicaCandidate(id, node, node.equals(localNode),
          fresh ? OptionalInt.of(c.queueLength) : OptionalInt.empty(),
          fresh ? Optional.of(Duration.between(c.at, now)) : Optional.empty()));
    });
    return out;
  }

  // ------------------------------------------------------------------ views

  /** Requests waiting for a replica. */
  public int waiting() {
    queue.removeIf(p -> p.future.isDone());
    return queue.size();
  }

  /** When {@link #tick()} next has something to do (a back-off or probe deadline); empty if nothing. */
  public Optional<Instant> nextWakeup() {
    Optional<Instant> probe = probing.values().stream().map(t -> t.plus(config.probeTimeout())).min(Instant::compareTo);
    Optional<Instant> backoff = Optional.ofNullable(queue.peek()).map(p -> p.notBefore).filter(t -> t != Instant.MIN);
    return probe.isEmpty() ? backoff : backoff.isEmpty() ? probe
        : Optional.of(probe.get().isBefore(backoff.get()) ? probe.get() : backoff.get());
  }

  /** The replicas this router may send to. */
  public List<ReplicaId> replicas() {
    return List.copyOf(replicas.keySet());
  }
}
