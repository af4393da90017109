package io.troupe.llm.cluster;

import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor {@link ClusterRanks} gives the engine: it runs steps on the current generation of the rank
 * group and, when a step fails and the group restarts as a gang, swaps in the next generation.
 *
 * <p>Lifecycle ({@link State}): {@code Serving(epoch N)} → a step fails → the failure is rethrown (the engine
 * ends its in-flight requests with it) and, if a {@link Recovery} is set, {@code Restarting(N)} while the
 * recovery thread waits for every rank to be back at a newer epoch → {@code Serving(N+k)}. Without a recovery,
 * or when it fails (the group ran out of restarts, a rank was killed on purpose, the deadline passed), the
 * state is {@code Down} for good.
 *
 * <p>While restarting, steps <b>fail fast</b> with "rank group restarting (epoch N → N+1)": a restart
 * re-reserves bundles and reloads shards (seconds), and the engine's single step thread must not be parked
 * that long; the caller (a router) can retry elsewhere. {@link #awaitServing} waits for the end of a restart.
 *
 * <p>Threading: {@link #execute} from the engine's step thread; the recovery on its own virtual thread; the
 * state is one atomic reference, everything else reads it.
 */
final class RestartingRankExecutor implements ModelExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(RestartingRankExecutor.class);

  /** One generation of the group: the ranks of one epoch and the executor over them. */
  record Generation(long epoch, ModelExecutor executor) {
    Generation {
      Objects.requireNonNull(executor, "executor");
    }
  }

  /** Builds the next generation after {@code failedEpoch} failed; blocks; throws when the group is gone. */
  @FunctionalInterface
  interface Recovery {
    Generation awaitNext(long failedEpoch) throws Exception;
  }

  /** Where the group stands; each state says what a step does. */
  sealed interface State {
    /** Steps run on {@code generation}. */
    record Serving(Generation generation) implements State {}

    /** Steps fail fast; {@code next} completes with the new generation or fails when the group is down. */
    record Restarting(long fromEpoch, String cause, CompletableFuture<Generation> next) implements State {}

    /** Steps fail for good with {@code reason}. */
    record Down(String reason) implements State {}
  }

  private final ModelConfig config;
  private final int kvBlocks;
  private final int blockSize;
  private final String description;
  private final Recovery recovery;
  private final AtomicReference<State> state;

  /** @param recovery null when the group cannot restart (no gang policy): the first failure is final */
  RestartingRankExecutor(Generation first, Recovery recovery, String description) {
    this.config = first.executor().config();
    this.kvBlocks = first.executor().kvBlocks();
    this.blockSize = first.executor().blockSize();
    this.description = description;
    this.recovery = recovery;
    this.state = new AtomicReference<>(new State.Serving(first));
  }

  State state() {
    return state.get();
  }

  /** The epoch of the generation serving now, or of the one that failed while restarting or down. */
  long epoch() {
    return switch (state.get()) {
      case State.Serving s -> s.generation().epoch();
      case State.Restarting r -> r.fromEpoch();
      case State.Down d -> -1;
    };
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public int kvBlocks() {
    return kvBlocks;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public boolean recovers() {
    return recovery != null;
  }

  @Override
  public StepOutput execute(StepBatch batch) {
    State s = state.get();
    switch (s) {
      case State.Restarting r -> throw restarting(r);
      case State.Down d -> throw new RankFailureException("rank group is down: " + d.reason());
      case State.Serving serving -> {
        Generation g = serving.generation();
        try {
          return g.executor().execute(batch);
        } catch (RuntimeException e) {
          failed(serving, e);
          throw e;
        }
      }
    }
  }

  private static RankFailureException restarting(State.Restarting r) {
    return new RankFailureException("rank group restarting (epoch " + r.fromEpoch() + " → " + (r.fromEpoch() + 1)
        + "): requests fail until every rank is back; it failed with: " + r.cause());
  }

  /** Leaves {@code serving} after its step failed: restart in the background, or down for good. */
  private void failed(State.Serving serving, RuntimeException error) {
    long epoch = serving.generation().epoch();
    String cause = String.valueOf(error.getMessage());
    if (recovery == null) {
      state.compareAndSet(serving, new State.Down(cause + " (the group has no gang policy, so it does not restart)"));
      return;
    }
    State.Restarting r = new State.Restarting(epoch, cause, new CompletableFuture<>());
    if (!state.compareAndSet(serving, r)) {
      return;
    }
    LOG.warn("rank group of epoch {} failed; waiting for the gang restart: {}", epoch, cause);
    Thread.ofVirtual().name("llm-ranks-recovery-epoch-" + epoch).start(() -> recover(r));
  }

  private void recover(State.Restarting r) {
    try {
      Generation next = recovery.awaitNext(r.fromEpoch());
      if (state.compareAndSet(r, new State.Serving(next))) {
        LOG.info("rank group serves again at epoch {} (was {})", next.epoch(), r.fromEpoch());
        r.next().complete(next);
      } else {
        next.executor().close(); // closed meanwhile
        r.next().completeExceptionally(new IllegalStateException("closed"));
      }
    } catch (Exception e) {
      String reason = "the gang restart after epoch " + r.fromEpoch() + " failed: " + e.getMessage()
          + "; it had failed with: " + r.cause();
      LOG.error("rank group is down: {}", reason, e);
      state.compareAndSet(r, new State.Down(reason));
      r.next().completeExceptionally(new IllegalStateException(reason, e));
    }
  }

  /**
   * Waits until the group serves (returns its epoch at once if it does).
   *
   * @throws IllegalStateException when the group is down, or still restarting after {@code timeout}
   */
  long awaitServing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      State s = state.get();
      switch (s) {
        case State.Serving serving -> {
          return serving.generation().epoch();
        }
        case State.Down d -> throw new IllegalStateException("rank group is down: " + d.reason());
        case State.Restarting r -> {
          try {
            r.next().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
          } catch (TimeoutException e) {
            throw new IllegalStateException("rank group still restarting after " + timeout + " (from epoch "
                + r.fromEpoch() + ")");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the rank group");
          }
        }
      }
    }
  }

  @Override
  public String describe() {
    return description;
  }

  /** Ends serving (a restart in progress finishes into nothing); does not stop the ranks. */
  @Override
  public void close() {
    State s = state.getAndSet(new State.Down("closed"));
    if (s instanceof State.Serving serving) {
      serving.generation().executor().close();
    }
  }
}
