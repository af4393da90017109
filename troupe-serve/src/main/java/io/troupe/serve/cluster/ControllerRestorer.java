package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.controller.CheckpointCodec;
import io.troupe.serve.controller.ClusterOps;
import io.troupe.serve.controller.ClusterSnapshot;
import io.troupe.serve.controller.ControllerCheckpoint;
import io.troupe.serve.controller.RestoreReport;
import io.troupe.serve.controller.ServeController;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * Builds the head's serve controller at start: a fresh one when the control service has no
 * checkpoint (a new cluster), else {@link ServeController#restore} of the checkpoint against what
 * the runtime reports once it has recovered its own state (alive replica actors are adopted, dead
 * ones replaced, unknown replica actors stopped, leaked serve placement groups removed).
 *
 * <p>Blocking: runs once on the controller loop's thread before its first tick. The runtime defers
 * placement-group queries while a restarted head waits for node agents to re-register, so the
 * group listing doubles as the barrier after which the actor list is complete. Retries each step
 * until {@code deadline} passes, then gives up on the checkpoint (logged) and starts fresh, which
 * leaves the old replicas running unmanaged — the documented worst case.
 */
public final class ControllerRestorer {
  private static final System.Logger LOG = System.getLogger(ControllerRestorer.class.getName());

  private final Troupe troupe;
  private final ClusterOps ops;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final Duration deadline;
  private final ServeController.Autoscaling autoscaling;
  private volatile Optional<RestoreReport> report = Optional.empty();

  public ControllerRestorer(Troupe troupe, ClusterOps ops, InstantSource clock, RandomGenerator random,
      Duration deadline) {
    this(troupe, ops, clock, random, deadline, ServeController.Autoscaling.defaults());
  }

  public ControllerRestorer(Troupe troupe, ClusterOps ops, InstantSource clock, RandomGenerator random,
      Duration deadline, ServeController.Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
    this.troupe = troupe;
    this.ops = ops;
    this.clock = clock;
    this.random = random;
    this.deadline = deadline;
  }

  /** What the last restore did; empty when the controller started fresh. */
  public Optional<RestoreReport> report() {
    return report;
  }

  /** The controller to run; never throws. */
  public ServeController restoreOrFresh() {
    long end = System.nanoTime() + deadline.toNanos();
    try {
      Optional<byte[]> bytes = retry(() -> troupe.kvGet(CheckpointCodec.KEY).get(10, TimeUnit.SECONDS), end);
      if (bytes.isEmpty()) {
        return new ServeController(ops, clock, random, autoscaling);
      }
      ControllerCheckpoint cp;
      try {
        cp = CheckpointCodec.decode(bytes.get());
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.ERROR, "the serve controller checkpoint cannot be read (" + e.getMessage()
            + "); starting with no applications: re-apply the serve config");
        return new ServeController(ops, clock, random, autoscaling);
      }
      List<PlacementGroupInfo> groups = retry(() -> troupe.placementGroups().get(60, TimeUnit.SECONDS), end);
      List<ActorInfo> actors = retry(() -> troupe.actors().get(30, TimeUnit.SECONDS), end);
      ClusterSnapshot snapshot = ClusterSnapshot.of(actors, groups, ReplicaActor.class.getName());
      ServeController.Restored restored = ServeController.restore(cp, snapshot, ops, clock, random, autoscaling);
      report = Optional.of(restored.report());
      LOG.log(System.Logger.Level.INFO, "serve controller restored from its checkpoint: " + restored.report());
      return restored.controller();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "restoring the serve controller failed; starting with no applications", e);
      return new ServeController(ops, clock, random, autoscaling);
    }
  }

  private interface Step<T> {
    T get() throws Exception;
  }

  private static <T> T retry(Step<T> step, long end) {
    while (true) {
      try {
        return step.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while restoring the serve controller", e);
      } catch (Exception e) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException("the control service did not answer: " + e, e);
        }
        LOG.log(System.Logger.Level.DEBUG, "restore step failed; retrying", e);
        LockSupport.parkNanos(500_000_000L);
      }
    }
  }
}
