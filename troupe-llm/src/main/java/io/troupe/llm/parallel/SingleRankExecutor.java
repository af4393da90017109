package io.troupe.llm.parallel;

import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.ModelFolder;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.RankTransport;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.nio.file.Path;

/**
 * The whole model in this JVM as one rank; steps run on the caller's thread (plus the kernel pool).
 * Threading: one {@link #execute} at a time.
 */
public final class SingleRankExecutor implements ModelExecutor {
  private final RankWorker worker;
  private final ModelConfig config;
  private final RankOptions options;

  private SingleRankExecutor(RankWorker worker, ModelConfig config, RankOptions options) {
    this.worker = worker;
    this.config = config;
    this.options = options;
  }

  public static SingleRankExecutor load(Path modelDir, RankOptions options) {
    try (ModelFolder f = ModelFolder.open(modelDir)) {
      return new SingleRankExecutor(RankWorker.create(f, RankSpec.single(), options, RankTransport.single()),
          f.config(), options);
    }
  }

  public RankWorker worker() {
    return worker;
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public int kvBlocks() {
    return worker.kvBlocks();
  }

  @Override
  public int blockSize() {
    return options.blockSize();
  }

  @Override
  public StepOutput execute(StepBatch batch) {
    return worker.runStep(batch);
  }

  @Override
  public String describe() {
    return "1 rank, " + worker.kernelName() + ", " + options.threads() + " thread(s)" + ", weights " + options.weights().configName();
  }

  @Override
  public void close() {
    worker.close();
  }
}
