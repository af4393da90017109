package io.troupe.llm.parallel;

import io.troupe.llm.model.ModelFolder;
import io.troupe.llm.spi.RankHandle;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts a {@code tp x pp} group of {@link RankWorker}s in this JVM, each on its own thread with its own
 * shard, connected by an {@link InProcessRankGroup}, and wraps them in a {@link RankGroupExecutor}. Used by
 * tests and single-node deployments; the cluster runtime does the same with one actor per bundle.
 */
public final class InProcessRanks {
  private InProcessRanks() {}

  /** A started group and its transport (tests use {@link #kill} to simulate a rank dying). */
  public record Group(RankGroupExecutor executor, InProcessRankGroup transport, List<LocalRank> ranks) {
    /** Makes rank (tp, pp) throw on its next step, as if its process died. */
    public void kill(int tpRank, int ppRank) {
      ranks.stream().filter(r -> r.spec().tpRank() == tpRank && r.spec().ppRank() == ppRank).findFirst()
          .orElseThrow().dead = true;
    }
  }

  public static Group start(Path modelDir, int tp, int pp, RankOptions options, Duration timeout) {
    InProcessRankGroup group = new InProcessRankGroup(tp, pp, 0, timeout);
    List<LocalRank> ranks = new ArrayList<>();
    try (ModelFolder folder = ModelFolder.open(modelDir)) {
      for (int p = 0; p < pp; p++) {
        for (int t = 0; t < tp; t++) {
          RankSpec spec = group.spec(t, p);
          ranks.add(new LocalRank(RankWorker.create(folder, spec, options, group.transport(t, p)), group));
        }
      }
      int blocks = ranks.get(0).worker.kvBlocks();
      String desc = tp + "x" + pp + " (tp x pp) in-process ranks, " + ranks.get(0).worker.kernelName() + ", "
          + options.threads() + " thread(s) each";
      RankGroupExecutor exec = new RankGroupExecutor(folder.config(), blocks, options.blockSize(),
          List.copyOf(ranks), timeout, desc);
      return new Group(exec, group, List.copyOf(ranks));
    } catch (RuntimeException e) {
      ranks.forEach(LocalRank::close);
      throw e;
    }
  }

  /** A rank worker on its own thread. */
  public static final class LocalRank implements RankHandle {
    private final RankWorker worker;
    private final InProcessRankGroup group;
    private final ExecutorService thread;
    volatile boolean dead;

    LocalRank(RankWorker worker, InProcessRankGroup group) {
      this.worker = worker;
      this.group = group;
      RankSpec s = worker.spec();
      this.thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "troupe-rank-tp" + s.tpRank() + "-pp" + s.ppRank());
        t.setDaemon(true);
        return t;
      });
    }

    @Override
    public RankSpec spec() {
      return worker.spec();
    }

    @Override
    public CompletableFuture<StepOutput> step(StepBatch batch) {
      return CompletableFuture.supplyAsync(() -> {
        if (dead) {
          IllegalStateException e = new IllegalStateException(spec() + " died (simulated)");
          group.fail(e.getMessage());
          throw e;
        }
        try {
          return worker.runStep(batch);
        } catch (RuntimeException e) {
          group.fail(spec() + ": " + e.getMessage());
          throw e;
        }
      }, thread);
    }

    @Override
    public void close() {
      thread.shutdownNow();
      worker.close();
    }
  }
}
