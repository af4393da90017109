package io.troupe.runtime.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster as seen by application code: create actors, find them by name, inspect the cluster.
 * Obtain one from {@link TroupeNode#client()}, from {@link LocalCluster} (embedded mode) or, inside
 * an actor, from {@link ActorContext#troupe()}.
 *
 * <p>Thread-safe.
 */
public interface Troupe {

  /** Starts an embedded cluster (head + {@code workers} worker nodes) inside this JVM. */
  static LocalCluster local(int workers) {
    return LocalCluster.start(LocalCluster.Options.builder().workers(workers).build());
  }

  /**
   * Creates an actor of {@code type} (which every node must have on its classpath). An unnamed actor
   * outside a placement group is returned at once, as in Ray, so many creations pipeline; its calls
   * wait until it is ALIVE, and fail with {@link ActorDiedException} if it cannot be created. A named
   * actor, or one in a placement group, waits for the control service's answer: a name already taken
   * or a group that cannot take it throws {@link TroupeException} here.
   */
  <T> ActorHandle<T> createActor(Class<T> type, ActorOptions options, Object... constructorArgs);

  /** Finds a named actor. */
  <T> Optional<ActorHandle<T>> getActor(String name, Class<T> type);

  /** A handle for a known actor id. */
  <T> ActorHandle<T> handle(ActorId id, Class<T> type);

  /** Kills an actor; no restart. Completes when the control service recorded it DEAD. */
  CompletableFuture<Void> kill(ActorId id);

  /**
   * Reports that incarnation {@code incarnation} of an actor failed (e.g. the process it supervises exited): the
   * actor is stopped and restarts as after a crash — with its whole gang at a new epoch when it is a member of a
   * gang group, otherwise as its {@code maxRestarts} allow. A report about an older incarnation is ignored (the
   * failure was handled already). Completes when the control service has recorded it.
   */
  CompletableFuture<Void> fail(ActorId id, int incarnation, String cause);

  /** Completes when the actor is ALIVE, or exceptionally when it is DEAD or the timeout passes. */
  CompletableFuture<ActorInfo> waitAlive(ActorId id, Duration timeout);

  /**
   * Reserves a placement group (atomically: every bundle or none). Returns at once with the id; use
   * {@link #waitPlacementGroupReady} to wait for CREATED. Created from inside an actor that runs in a
   * group, the new group is carved out of that group's unused bundle capacity (or fails at once).
   * Throws {@link PlacementGroupException} for bad input.
   */
  PlacementGroupId createPlacementGroup(PlacementGroupSpec spec);

  /** Completes with the group once CREATED; fails with the reason it is not ready after the timeout. */
  CompletableFuture<PlacementGroupInfo> waitPlacementGroupReady(PlacementGroupId id, Duration timeout);

  CompletableFuture<Optional<PlacementGroupInfo>> placementGroup(PlacementGroupId id);

  CompletableFuture<Optional<PlacementGroupInfo>> placementGroupByName(String name);

  CompletableFuture<List<PlacementGroupInfo>> placementGroups();

  /** Removes a group: frees its reservation, kills its actors, fails its waiters. */
  CompletableFuture<Void> removePlacementGroup(PlacementGroupId id);

  /**
   * Stores a value in the control service's key-value store (persisted with the head's control
   * state when it has a --state-dir). Meant for small control data such as checkpoints.
   */
  CompletableFuture<Void> kvPut(String key, byte[] value);

  CompletableFuture<Optional<byte[]>> kvGet(String key);

  CompletableFuture<Void> kvDelete(String key);

  /** Keys starting with {@code prefix}, sorted. */
  CompletableFuture<List<String>> kvKeys(String prefix);

  CompletableFuture<ClusterStatus> status();

  CompletableFuture<List<ActorInfo>> actors();

  /** The node this client runs on. */
  NodeId nodeId();

  /** The meter registry of the node this client runs on (scraped at its {@code /metrics}). */
  NodeMetrics metrics();

  /** The per-node objects of the layers above the runtime on the node this client runs on. */
  NodeServices nodeServices();
}
