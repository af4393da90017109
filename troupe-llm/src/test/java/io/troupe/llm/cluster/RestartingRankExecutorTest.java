package io.troupe.llm.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.llm.cluster.RestartingRankExecutor.Generation;
import io.troupe.llm.cluster.RestartingRankExecutor.State;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The serving → restarting → serving / down lifecycle on scripted generations; no cluster. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RestartingRankExecutorTest {
  static final StepBatch BATCH = new StepBatch(1, 0, List.of(), 1);

  /** A generation's executor: counts steps; fails them while {@code failure} is set. */
  static final class FakeRanks implements ModelExecutor {
    final AtomicInteger steps = new AtomicInteger();
    volatile String failure;
    volatile boolean closed;

    @Override
    public ModelConfig config() {
      return null;
    }

    @Override
    public int kvBlocks() {
      return 8;
    }

    @Override
    public int blockSize() {
      return 4;
    }

    @Override
    public StepOutput execute(StepBatch batch) {
      steps.incrementAndGet();
      if (failure != null) {
        throw new RankFailureException(failure);
      }
      return null;
    }

    @Override
    public String describe() {
      return "fake";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void aFailedStepFailsFastWhileRestartingThenTheNextGenerationServes() {
    FakeRanks first = new FakeRanks();
    FakeRanks second = new FakeRanks();
    CompletableFuture<Generation> restarted = new CompletableFuture<>();
    AtomicInteger asked = new AtomicInteger(-1);
    RestartingRankExecutor ex = new RestartingRankExecutor(new Generation(3, first), failed -> {
      asked.set((int) failed);
      return restarted.join();
    }, "test");
    assertThat(ex.recovers()).isTrue();
    ex.execute(BATCH);
    assertThat(ex.awaitServing(Duration.ZERO)).isEqualTo(3);

    first.failure = "rank(tp=1/2) lost with its node";
    assertThatThrownBy(() -> ex.execute(BATCH)).isInstanceOf(RankFailureException.class)
        .hasMessage("rank(tp=1/2) lost with its node");
    assertThat(ex.state()).isInstanceOf(State.Restarting.class);
    assertThatThrownBy(() -> ex.execute(BATCH)).isInstanceOf(RankFailureException.class)
        .hasMessageContaining("rank group restarting (epoch 3 → 4)").hasMessageContaining("lost with its node");
    assertThat(first.steps).as("no step reaches the ranks while restarting").hasValue(2);
    assertThatThrownBy(() -> ex.awaitServing(Duration.ofMillis(20))).hasMessageContaining("still restarting");

    restarted.complete(new Generation(4, second));
    assertThat(ex.awaitServing(Duration.ofSeconds(5))).isEqualTo(4);
    assertThat(asked).hasValue(3);
    ex.execute(BATCH);
    assertThat(second.steps).hasValue(1);
    assertThat(ex.epoch()).isEqualTo(4);
  }

  @Test
  void withoutAGangTheFirstFailureIsFinal() {
    FakeRanks first = new FakeRanks();
    RestartingRankExecutor ex = new RestartingRankExecutor(new Generation(0, first), null, "test");
    assertThat(ex.recovers()).isFalse();
    first.failure = "boom";
    assertThatThrownBy(() -> ex.execute(BATCH)).hasMessage("boom");
    first.failure = null;
    assertThatThrownBy(() -> ex.execute(BATCH)).hasMessageContaining("rank group is down: boom")
        .hasMessageContaining("no gang policy");
    assertThat(first.steps).hasValue(1);
    assertThatThrownBy(() -> ex.awaitServing(Duration.ofSeconds(1))).hasMessageContaining("down");
  }

  @Test
  void aFailedRestartLeavesTheGroupDownWithBothReasons() {
    FakeRanks first = new FakeRanks();
    RestartingRankExecutor ex = new RestartingRankExecutor(new Generation(0, first), failed -> {
      throw new IllegalStateException("placement group pg-1 is FAILED: restart budget spent");
    }, "test");
    first.failure = "rank 1 died";
    assertThatThrownBy(() -> ex.execute(BATCH)).hasMessage("rank 1 died");
    assertThatThrownBy(() -> ex.awaitServing(Duration.ofSeconds(5)))
        .hasMessageContaining("restart budget spent").hasMessageContaining("rank 1 died");
    assertThatThrownBy(() -> ex.execute(BATCH)).hasMessageContaining("rank group is down")
        .hasMessageContaining("restart budget spent");
  }

  @Test
  void closingDuringARestartDropsTheNextGeneration() {
    FakeRanks first = new FakeRanks();
    FakeRanks second = new FakeRanks();
    CompletableFuture<Generation> restarted = new CompletableFuture<>();
    RestartingRankExecutor ex = new RestartingRankExecutor(new Generation(0, first), failed -> restarted.join(), "t");
    first.failure = "lost";
    assertThatThrownBy(() -> ex.execute(BATCH));
    CompletableFuture<Generation> next = ((State.Restarting) ex.state()).next();
    ex.close();
    restarted.complete(new Generation(1, second));
    assertThatThrownBy(next::join).hasMessageContaining("closed");
    assertThat(second.closed).isTrue();
    assertThat(ex.state()).isEqualTo(new State.Down("closed"));
  }
}
