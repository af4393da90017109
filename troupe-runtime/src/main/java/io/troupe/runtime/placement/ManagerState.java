package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Everything {@link PlacementGroupManager} and its helpers share: the authoritative group table and
 * its indexes, the cluster view and the injected seams. Not thread-safe: owner thread only.
 */
final class ManagerState {
  final PlacementConfig config;
  final BundleAgentClient agents;
  final PlacementGroupStore store;
  final PlacementGroupListener listener;
  final InstantSource clock;
  final RandomGenerator random;
  final Executor owner;
  final BundleSchedulingPolicy policy = new BundleSchedulingPolicy();
  final ClusterView cluster = new ClusterView();
  final Map<PlacementGroupId, GroupRecord> groups = new LinkedHashMap<>();
  final Map<String, PlacementGroupId> names = new HashMap<>();
  final Map<String, Set<PlacementGroupId>> byOwner = new HashMap<>();
  /** Groups holding (or preparing) a bundle on a node. May contain stale entries; always re-check. */
  final Map<NodeId, Set<PlacementGroupId>> byNode = new HashMap<>();
  final Map<ActorId, PlacementGroupId> actorGroup = new HashMap<>();
  /** Why recently gone groups went, for clear errors; bounded. */
  final Map<PlacementGroupId, String> tombstones = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<PlacementGroupId, String> e) {
      return size() > 10_000;
    }
  };
  long attemptSeq;
  long serveSeq;
  long groupSeq;

  ManagerState(PlacementConfig config, BundleAgentClient agents, PlacementGroupStore store,
      PlacementGroupListener listener, InstantSource clock, RandomGenerator random, Executor owner) {
    this.config = config;
    this.agents = agents;
    this.store = store;
    this.listener = listener;
    this.clock = clock;
    this.random = random;
    this.owner = owner;
  }

  void indexNode(NodeId node, PlacementGroupId g) {
    byNode.computeIfAbsent(node, k -> new HashSet<>()).add(g);
  }

  void persist(GroupRecord g) {
    store.save(g.persisted(attemptSeq));
  }

  /** Exponential back-off with jitter after {@code failures} failed tries (>= 1). */
  Instant backoff(Instant now, int failures) {
    long base = config.initialBackoff().toMillis();
    long max = config.maxBackoff().toMillis();
    long d = base;
    for (int i = 1; i < failures && d < max; i++) {
      d *= 2;
    }
    d = Math.min(d, max);
    d = (long) (d * (1 + config.jitter() * random.nextDouble()));
    return now.plus(Duration.ofMillis(d));
  }
}
