package io.troupe.llm.cluster;

import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.Troupe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Waits, after the rank group of epoch {@code N} failed, until the runtime's gang restart brought every rank
 * back at a newer epoch: first the placement group is CREATED at epoch {@code M > N}; then every rank actor
 * answers {@link RankActor#identity()} with epoch {@code M} (the readiness call: the runtime queues calls to a
 * RESTARTING actor and delivers them once the new incarnation is constructed, i.e. its shard is loaded).
 * Polls with a pause until a deadline.
 *
 * <p>Gives up at once when the group is REMOVED or FAILED (restart budget spent), or when a rank actor is DEAD
 * while the epoch did not move: {@code troupe.kill} stops an actor on purpose and does not restart the gang.
 *
 * <p>Threading: {@link #awaitEpochAfter} blocks its caller (the recovery thread); no shared state.
 */
final class GangRecovery {
  private static final long PAUSE_MILLIS = 50;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final Troupe troupe;
  private final PlacementGroupId group;
  private final List<ActorHandle<RankActor>> actors;
  private final Duration timeout;

  /** @param timeout for the whole restart: backoff, re-reservation and the ranks loading their shards */
  GangRecovery(Troupe troupe, PlacementGroupId group, List<ActorHandle<RankActor>> actors, Duration timeout) {
    this.troupe = troupe;
    this.group = group;
    this.actors = List.copyOf(actors);
    this.timeout = timeout;
  }

  /** The identities of all ranks, by index, once they all run at one epoch newer than {@code failedEpoch}. */
  List<RankIdentity> awaitEpochAfter(long failedEpoch) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (true) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the ranks were not all back at an epoch after " + failedEpoch + " within "
            + timeout + "; last seen: " + last);
      }
      Optional<PlacementGroupInfo> read;
      try {
        read = get(troupe.placementGroup(group), deadline);
      } catch (IllegalStateException e) {
        last = "reading placement group " + group + ": " + e.getMessage(); // head busy or failing over: ask again
        pause();
        continue;
      }
      PlacementGroupInfo info = read.orElseThrow(() -> new IllegalStateException("placement group " + group + " is gone"));
      if (info.state().terminal()) {
        throw new IllegalStateException("placement group " + group + " is " + info.state() + ": " + info.reason());
      }
      if (info.epoch() <= failedEpoch || info.state() != PlacementGroupState.CREATED) {
        last = "group " + info.state() + " at epoch " + info.epoch() + (info.reason().isEmpty() ? "" : ": " + info.reason());
        if (info.epoch() <= failedEpoch) {
          failIfARankIsDead(deadline);
        }
        pause();
        continue;
      }
      Optional<List<RankIdentity>> ids = identities(info.epoch(), deadline);
      if (ids.isPresent()) {
        return ids.get();
      }
      last = "group CREATED at epoch " + info.epoch() + ", not every rank answered at that epoch yet";
      pause();
    }
  }

  /** Asks every rank who it is; empty unless all answer with {@code epoch}. */
  private Optional<List<RankIdentity>> identities(long epoch, long deadline) throws InterruptedException {
    List<CompletableFuture<RankIdentity>> calls = new ArrayList<>();
    for (ActorHandle<RankActor> a : actors) {
      calls.add(a.call(RankActor::identity));
    }
    List<RankIdentity> ids = new ArrayList<>();
    for (CompletableFuture<RankIdentity> c : calls) {
      try {
        RankIdentity id = get(c, deadline);
        if (id.spec().epoch() != epoch) {
          return Optional.empty(); // an old incarnation not stopped yet, or a newer restart under way
        }
        ids.add(id);
      } catch (IllegalStateException e) {
        if (e.getCause() instanceof ActorDiedException died) {
          throw new IllegalStateException("a rank actor died for good: " + died.getMessage(), died);
        }
        return Optional.empty(); // lost incarnation, call timed out: ask again
      }
    }
    return Optional.of(ids);
  }

  private void failIfARankIsDead(long deadline) throws InterruptedException {
    Set<ActorId> mine = actors.stream().map(ActorHandle::id).collect(Collectors.toSet());
    List<ActorInfo> all;
    try {
      all = get(troupe.actors(), deadline);
    } catch (IllegalStateException e) {
      return; // cannot tell now; the next poll asks again
    }
    for (ActorInfo a : all) {
      if (mine.contains(a.actorId()) && a.state() == ActorState.DEAD) {
        throw new IllegalStateException("rank actor " + a.name() + " is DEAD (" + a.deathCause()
            + ") and the group's epoch did not move: the gang does not restart actors stopped on purpose");
      }
    }
  }

  /** Waits for {@code f} up to the call timeout (and the deadline); a failure becomes IllegalStateException. */
  private static <T> T get(CompletableFuture<T> f, long deadline) throws InterruptedException {
    long left = Math.min(deadline - System.nanoTime(), CALL_TIMEOUT.toNanos());
    try {
      return f.get(Math.max(left, TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS)), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
      throw new IllegalStateException(c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new IllegalStateException("no answer within " + CALL_TIMEOUT);
    }
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(PAUSE_MILLIS); // a poll interval on the recovery thread, not a wait for behaviour in a test
  }
}
