package io.troupe.llm.cluster;

import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.ModelFolder;
import io.troupe.llm.parallel.RankGroupExecutor;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankHandle;
import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.GangPolicy;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@code tp x pp} group of {@link RankActor}s inside a reservation — the "engines never allocate"
 * contract. Called from code that runs in a placement group (e.g. a replica whose deployment reserved one
 * bundle per rank), it places rank {@code i} into bundle {@code i} of that group and asks the cluster for
 * nothing; a group with fewer than {@code tp * pp} bundles fails at once. Called outside any group, it
 * creates one group for itself (one bundle of {@link Options#perRank} per rank) and removes it on close.
 *
 * <p>{@link #executor()} is the executor to give the engine: a {@link RankGroupExecutor} over the ranks of the
 * current epoch. A failed rank fails the step (the engine then ends in-flight requests with an error naming
 * the rank) and aborts the other ranks' waits. Without a {@link GangPolicy} the group then stays down. With
 * one (on the launcher's own group), the runtime stops and recreates all ranks together at epoch + 1; the
 * executor fails new steps fast with "rank group restarting (epoch N → N+1)" meanwhile, waits in the
 * background until every rank answers at the new epoch ({@link GangRecovery}), and then serves again on a
 * new {@link RankGroupExecutor} — the same engine keeps working. {@link #awaitServing} waits for that.
 *
 * <p>Threading: {@link #launch} blocks (it may run inside an actor method); the result is thread-safe.
 */
public final class ClusterRanks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRanks.class);

  /**
   * @param tp          tensor-parallel size
   * @param pp          pipeline-parallel size
   * @param perRank     resources each rank actor holds in its bundle (default 1 CPU); also the bundle size
   *                    when the launcher creates its own group
   * @param strategy    of the launcher's own group (default STRICT_PACK); ignored inside a reservation
   * @param gang        gang policy of the launcher's own group (default none); ignored inside a reservation
   * @param rankOptions how each rank builds its worker (default {@link RankOptions#defaults()})
   * @param peerTimeout deadline of every rank-to-rank wait and send (default 10 s)
   * @param stepTimeout the driver's deadline for a whole step (default 30 s)
   * @param startTimeout for the group to be reserved and the ranks to load (default 60 s)
   */
  public record Options(int tp, int pp, ResourceSet perRank, PlacementStrategy strategy, Optional<GangPolicy> gang,
      RankOptions rankOptions, Duration peerTimeout, Duration stepTimeout, Duration startTimeout) {
    public Options {
      if (tp < 1 || pp < 1) {
        throw new IllegalArgumentException("tp and pp must be >= 1, got tp=" + tp + " pp=" + pp);
      }
      Objects.requireNonNull(perRank, "perRank");
      Objects.requireNonNull(strategy, "strategy");
      gang = gang == null ? Optional.empty() : gang;
      Objects.requireNonNull(rankOptions, "rankOptions");
      Objects.requireNonNull(peerTimeout, "peerTimeout");
      Objects.requireNonNull(stepTimeout, "stepTimeout");
      Objects.requireNonNull(startTimeout, "startTimeout");
    }

    public int worldSize() {
      return tp * pp;
    }

    public static Builder builder(int tp, int pp) {
      return new Builder(tp, pp);
    }

    /** Builder; defaults as documented on {@link Options}. */
    public static final class Builder {
      private final int tp;
      private final int pp;
      private ResourceSet perRank = ResourceSet.of(Map.of(ResourceSet.CPU, 1));
      private PlacementStrategy strategy = PlacementStrategy.STRICT_PACK;
      private GangPolicy gang;
      private RankOptions rankOptions = RankOptions.defaults();
      private Duration peerTimeout = Duration.ofSeconds(10);
      private Duration stepTimeout = Duration.ofSeconds(30);
      private Duration startTimeout = Duration.ofSeconds(60);

      private Builder(int tp, int pp) {
        this.tp = tp;
        this.pp = pp;
      }

      public Builder perRank(ResourceSet v) { perRank = v; return this; }
      public Builder perRank(Map<String, ? extends Number> v) { perRank = ResourceSet.of(v); return this; }
      public Builder strategy(PlacementStrategy v) { strategy = v; return this; }
      public Builder gang(GangPolicy v) { gang = v; return this; }
      public Builder rankOptions(RankOptions v) { rankOptions = v; return this; }
      public Builder peerTimeout(Duration v) { peerTimeout = v; return this; }
      public Builder stepTimeout(Duration v) { stepTimeout = v; return this; }
      public Builder startTimeout(Duration v) { startTimeout = v; return this; }

      public Options build() {
        return new Options(tp, pp, perRank, strategy, Optional.ofNullable(gang), rankOptions, peerTimeout,
            stepTimeout, startTimeout);
      }
    }
  }

  private final Troupe troupe;
  private final Options options;
  private final PlacementGroupId group;
  private final boolean ownsGroup;
  private final List<ActorHandle<RankActor>> actors;
  private final ModelConfig config;
  private final String description;
  private final RestartingRankExecutor executor;
  private volatile List<ClusterRankHandle> ranks; // of the current generation
  private final long launchEpoch;
  private volatile boolean closed;

  private ClusterRanks(Troupe troupe, Path modelDir, Options o, PlacementGroupId group, boolean ownsGroup,
                       List<ActorHandle<RankActor>> actors, List<RankIdentity> ids) {
    this.troupe = troupe;
    this.options = o;
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.actors = List.copyOf(actors);
    this.launchEpoch = ids.get(0).spec().epoch();
    try (ModelFolder f = ModelFolder.open(modelDir)) {
      this.config = f.config();
    }
    this.description = o.tp() + "x" + o.pp() + " (tp x pp) rank actors in placement group " + group
        + (ownsGroup ? " (own" + (o.gang().isPresent() ? ", gang" : "") + ")" : " (enclosing reservation)") + ", "
        + ids.get(0).kernel() + ", " + o.rankOptions().threads() + " thread(s) each";
    // Only the launcher's own gang group restarts under it; in an enclosing reservation the replica that runs
    // this launcher is a member of the gang too and is recreated with the ranks.
    GangRecovery recovery = ownsGroup && o.gang().isPresent()
        ? new GangRecovery(troupe, group, actors, o.startTimeout().plus(maxBackoff(o.gang().get()))) : null;
    this.executor = new RestartingRankExecutor(generation(ids), recovery == null ? null
        : failed -> generation(recovery.awaitEpochAfter(failed)), description);
  }

  private static Duration maxBackoff(GangPolicy p) {
    return p.backoff(p.maxRestarts() + 1);
  }

  /** The actor name of rank {@code index} of the group tagged {@code tag}. */
  static String rankName(String tag, int index) {
    return "llm-ranks/" + tag + "/rank-" + index;
  }

  /**
   * Starts the ranks in the caller's reservation (or in a group of their own outside one) and waits until
   * every rank has loaded its shard. The model directory must be readable at the same path on every node.
   *
   * @throws IllegalStateException when the enclosing reservation has fewer bundles than ranks, the group
   *     cannot be reserved, or a rank does not start in time (whatever was started is stopped again)
   */
  public static ClusterRanks launch(Troupe troupe, Path modelDir, Options o) {
    int world = o.worldSize();
    Optional<PlacementGroupId> enclosing = ActorContext.current().flatMap(ActorContext::placementGroup);
    PlacementGroupId group;
    boolean owns;
    if (enclosing.isPresent()) {
      group = enclosing.get();
      owns = false;
      PlacementGroupInfo info = await(troupe.placementGroup(group), o.startTimeout(), "reading placement group " + group)
          .orElseThrow(() -> new IllegalStateException("the enclosing placement group " + group + " is gone"));
      if (info.bundles().size() < world) {
        throw new IllegalStateException("the engine needs " + world + " bundles (tp=" + o.tp() + " x pp=" + o.pp()
            + ", one rank per bundle) but its reservation " + group + " has only " + info.bundles().size()
            + "; engines never allocate: reserve one bundle per rank in the replica's placement group");
      }
    } else {
      PlacementGroupSpec.Builder spec = PlacementGroupSpec.builder().strategy(o.strategy());
      for (int i = 0; i < world; i++) {
        spec.bundle(io.troupe.runtime.api.Bundle.of(o.perRank()));
      }
      o.gang().ifPresent(spec::gang);
      group = troupe.createPlacementGroup(spec.build());
      owns = true;
      try {
        await(troupe.waitPlacementGroupReady(group, o.startTimeout()), o.startTimeout().plusSeconds(5),
            "reserving " + world + " bundles for the ranks");
      } catch (RuntimeException e) {
        troupe.removePlacementGroup(group);
        throw e;
      }
    }
    // Inside a reservation the ranks are named after the group: when a gang restart recreates the replica that
    // runs this launcher, the runtime recreates its rank actors too, and the new launch adopts them by name
    // instead of starting a second set (which would not fit in the bundles).
    String tag = owns ? UUID.randomUUID().toString().substring(0, 8) : group.value();
    long epoch = owns ? -1 : ActorContext.current().map(ActorContext::epoch).orElse(0L);
    List<ActorHandle<RankActor>> actors = new ArrayList<>();
    List<ActorHandle<RankActor>> created = new ArrayList<>();
    try {
      RankActorOptions rankOptions = RankActorOptions.of(o.rankOptions(), o.peerTimeout());
      for (int p = 0; p < o.pp(); p++) {
        for (int t = 0; t < o.tp(); t++) {
          int i = p * o.tp() + t;
          Optional<ActorHandle<RankActor>> existing = owns ? Optional.empty()
              : troupe.getActor(rankName(tag, i), RankActor.class).filter(h -> isLive(h));
          if (existing.isPresent()) {
            LOG.info("adopting rank actor {} of group {} at epoch {}", rankName(tag, i), group, epoch);
            actors.add(existing.get());
            continue;
          }
          ActorOptions ao = ActorOptions.builder().name(rankName(tag, i)).resources(o.perRank())
              .maxConcurrency(RankActor.MAX_CONCURRENCY).strategy(SchedulingStrategy.inGroup(group, i)).build();
          ActorHandle<RankActor> h = troupe.createActor(RankActor.class, ao, modelDir.toString(), t, o.tp(), p, o.pp(),
              tag, rankOptions);
          actors.add(h);
          created.add(h);
        }
      }
      List<CompletableFuture<?>> alive = new ArrayList<>();
      for (ActorHandle<RankActor> a : actors) {
        alive.add(troupe.waitAlive(a.id(), o.startTimeout()));
      }
      await(CompletableFuture.allOf(alive.toArray(CompletableFuture[]::new)), o.startTimeout().plusSeconds(5),
          "starting " + world + " rank actors in group " + group);
      List<RankIdentity> ids = new ArrayList<>();
      long deadline = System.nanoTime() + o.startTimeout().toNanos();
      for (ActorHandle<RankActor> a : actors) {
        RankIdentity id = await(a.call(RankActor::identity), o.startTimeout(), "asking rank " + a.id() + " who it is");
        // An adopted rank may still answer from the old epoch for a moment while the gang restart recreates it.
        while (epoch >= 0 && id.spec().epoch() < epoch) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("rank " + a.id() + " is still at epoch " + id.spec().epoch()
                + " after " + o.startTimeout() + "; the replica runs at epoch " + epoch);
          }
          java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the runtime has no epoch event to wait on
          id = await(a.call(RankActor::identity), o.startTimeout(), "asking rank " + a.id() + " who it is");
        }
        ids.add(id);
      }
      return new ClusterRanks(troupe, modelDir, o, group, owns, actors, ids);
    } catch (RuntimeException e) {
      stop(troupe, created, owns ? group : null);
      throw e;
    }
  }

  private static boolean isLive(ActorHandle<RankActor> h) {
    try {
      return h.info().get(10, TimeUnit.SECONDS).state() != io.troupe.runtime.api.ActorState.DEAD;
    } catch (Exception e) {
      return false;
    }
  }

  /** Why the group stopped serving for good (no gang policy, restarts exhausted, closed); empty while it serves or restarts. */
  public Optional<String> downReason() {
    return executor.state() instanceof RestartingRankExecutor.State.Down d ? Optional.of(d.reason()) : Optional.empty();
  }

  /** Handles and an executor over the ranks of one epoch; makes them the current ones. */
  private RestartingRankExecutor.Generation generation(List<RankIdentity> ids) {
    int blocks = ids.get(0).kvBlocks();
    for (RankIdentity id : ids) {
      if (id.kvBlocks() != blocks || id.spec().epoch() != ids.get(0).spec().epoch()) {
        throw new IllegalStateException("ranks disagree: " + ids.get(0) + " vs " + id);
      }
    }
    List<ClusterRankHandle> handles = new ArrayList<>();
    for (int i = 0; i < actors.size(); i++) {
      int index = i;
      handles.add(new ClusterRankHandle(actors.get(i), ids.get(i), (step, err) -> abortOthers(handles, index, step, err)));
    }
    long epoch = ids.get(0).spec().epoch();
    RankGroupExecutor exec = new RankGroupExecutor(config, blocks, options.rankOptions().blockSize(),
        List.<RankHandle>copyOf(handles), options.stepTimeout(), description + ", epoch " + epoch);
    ranks = List.copyOf(handles);
    return new RestartingRankExecutor.Generation(epoch, exec);
  }

  /**
   * The executor to give {@code LlmEngine}; closing it does not stop the ranks ({@link #close} does). It stays
   * the same object across gang restarts and reports {@link ModelExecutor#recovers()} when the group has a
   * gang policy.
   */
  public ModelExecutor executor() {
    return executor;
  }

  /** The epoch of the ranks serving now (or of the generation that failed, while restarting; -1 when down). */
  public long epoch() {
    return executor.epoch();
  }

  /**
   * Waits until the group serves, e.g. after a gang restart; returns its epoch at once if it serves already.
   *
   * @throws IllegalStateException when the group is down for good or still restarting after {@code timeout}
   */
  public long awaitServing(Duration timeout) {
    return executor.awaitServing(timeout);
  }

  public List<RankHandle> handles() {
    return List.copyOf(ranks);
  }

  /** Identities of the ranks of the current epoch, by linear index. */
  public List<RankIdentity> identities() {
    return ranks.stream().map(ClusterRankHandle::identity).toList();
  }

  public PlacementGroupId group() {
    return group;
  }

  /** Whether the launcher created {@link #group()} (true only outside a reservation). */
  public boolean ownsGroup() {
    return ownsGroup;
  }

  private static void abortOthers(List<ClusterRankHandle> ranks, int failed, long stepId, RuntimeException error) {
    long epoch = ranks.get(failed).spec().epoch();
    String reason = ranks.get(failed).spec() + ": " + error.getMessage();
    for (int i = 0; i < ranks.size(); i++) {
      if (i != failed) {
        ranks.get(i).actor().call("abort", epoch, stepId, reason); // best effort; a dead rank cannot wait
      }
    }
  }

  /**
   * Stops every rank and removes the group if the launcher created it. Idempotent. Inside an enclosing reservation
   * whose epoch moved past the one these ranks were launched at, the ranks are left alone: a gang restart stopped
   * this launcher's replica and recreates the same rank actors (same ids) for the replica's next incarnation.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    executor.close();
    if (!ownsGroup && supersededByGangRestart()) {
      LOG.info("not stopping the rank actors of group {}: a gang restart moved it past epoch {}; the next "
          + "incarnation adopts them", group, launchEpoch);
      return;
    }
    stop(troupe, actors, ownsGroup ? group : null);
  }

  /** Whether the enclosing group is at a later epoch than these ranks (or unknown: then leave them alone). */
  private boolean supersededByGangRestart() {
    try {
      Optional<PlacementGroupInfo> info = troupe.placementGroup(group).get(5, TimeUnit.SECONDS);
      return info.isPresent() && info.get().epoch() > launchEpoch;
    } catch (Exception e) {
      LOG.warn("cannot read group {} to decide whether to stop its rank actors; leaving them: {}", group, e.toString());
      return true;
    }
  }

  private static void stop(Troupe troupe, List<ActorHandle<RankActor>> actors, PlacementGroupId ownGroup) {
    List<CompletableFuture<Void>> kills = new ArrayList<>();
    for (ActorHandle<RankActor> a : actors) {
      kills.add(troupe.kill(a.id()));
    }
    for (CompletableFuture<Void> k : kills) {
      try {
        k.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("stopping a rank actor: {}", e.toString()); // already dead or unreachable
      }
    }
    if (ownGroup != null) {
      try {
        troupe.removePlacementGroup(ownGroup).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("could not remove the ranks' placement group {}: {}", ownGroup, e.toString());
      }
    }
  }

  private static <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what);
    }
  }
}
