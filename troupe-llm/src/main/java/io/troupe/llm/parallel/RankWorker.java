package io.troupe.llm.parallel;

import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.kernels.MatMul;
import io.troupe.llm.model.KvCache;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.model.WeightType;
import io.troupe.llm.model.ModelFolder;
import io.troupe.llm.model.ShardForward;
import io.troupe.llm.model.ShardWeights;
import io.troupe.llm.spi.RankFailureException;
import io.troupe.llm.spi.RankSpec;
import io.troupe.llm.spi.RankTransport;
import io.troupe.llm.spi.SequenceChunk;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rank of a model-parallel group: holds only its shard of the weights and its KV memory, and runs
 * steps. This is what a cluster actor hosts (one per placement-group bundle): create it with
 * {@link #load} given the model folder, its {@link RankSpec} and a {@link RankTransport} to its peers,
 * then call {@link #runStep} for every step the driver broadcasts, on every rank.
 *
 * <p>Pipeline: the step's micro-batches go through this rank one after another; a stage sends a
 * micro-batch's activations on and starts the next at once, so stages overlap.
 *
 * <p>Threading: {@link #runStep} is called by one thread at a time; the kernels use the rank's own pool.
 */
public final class RankWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RankWorker.class);
  private final RankSpec spec;
  private final ShardForward forward;
  private final RankTransport transport;
  private final MatMul mm;
  private final int kvBlocks;

  private RankWorker(RankSpec spec, ShardForward forward, RankTransport transport, MatMul mm, int kvBlocks) {
    this.spec = spec;
    this.forward = forward;
    this.transport = transport;
    this.mm = mm;
    this.kvBlocks = kvBlocks;
  }

  /** Loads this rank's shard from a model folder. The transport's {@code self()} must equal {@code spec}. */
  public static RankWorker load(Path modelDir, RankSpec spec, RankOptions options, RankTransport transport) {
    try (ModelFolder folder = ModelFolder.open(modelDir)) {
      return create(folder, spec, options, transport);
    }
  }

  /** As {@link #load} but from an already opened folder (shared by in-process ranks). */
  public static RankWorker create(ModelFolder folder, RankSpec spec, RankOptions options, RankTransport transport) {
    if (!transport.self().equals(spec)) {
      throw new IllegalArgumentException("transport is for " + transport.self() + ", not " + spec);
    }
    ModelConfig c = folder.config();
    ShardWeights w = ShardWeights.load(folder, spec, options.weights());
    int blocks = options.kvBlocks(c, spec.tpSize(), spec.ppSize());
    KvCache kv = new KvCache(w.layers().size(), blocks, options.blockSize(), w.localKvHeads() * c.headDim());
    long kvBytes = KvCache.bytesPerBlock(w.layers().size(), options.blockSize(), w.localKvHeads() * c.headDim())
        * blocks;
    LOG.info("{} of {} ({}): weights {} MiB held as {}, KV cache {} MiB ({} blocks of {})", spec,
        folder.dir().getFileName(), c.family(), String.format(java.util.Locale.ROOT, "%.1f", w.memoryBytes() / 1048576.0),
        options.weights() == WeightType.AUTO ? "stored (auto)" : options.weights().configName(),
        String.format(java.util.Locale.ROOT, "%.1f", kvBytes / 1048576.0), blocks, options.blockSize());
    MatMul mm = new MatMul(Kernels.best(), options.threads());
    return new RankWorker(spec, new ShardForward(w, kv, mm), transport, mm, blocks);
  }

  public RankSpec spec() {
    return spec;
  }

  public int kvBlocks() {
    return kvBlocks;
  }

  public ShardWeights weights() {
    return forward.weights();
  }

  public String kernelName() {
    return mm.kernels().name();
  }

  /**
   * Runs one step. Returns the logits on the last stage's tp rank 0 and null on every other rank.
   *
   * @throws RankFailureException when the step is of another epoch or a peer fails or times out
   */
  public StepOutput runStep(StepBatch batch) {
    if (batch.epoch() != spec.epoch()) {
      throw new RankFailureException(spec + " refuses step " + batch.stepId() + " of epoch " + batch.epoch());
    }
    Map<Long, float[]> out = new HashMap<>();
    for (int m = 0; m < batch.microBatches(); m++) {
      List<SequenceChunk> chunks = batch.microBatch(m);
      float[] in = spec.firstStage() ? null : transport.recvActivations(batch.stepId(), m);
      float[] hidden = forward.hidden(chunks, in, transport);
      if (spec.lastStage()) {
        float[][] logits = forward.logits(chunks, hidden, transport);
        int i = 0;
        for (SequenceChunk ch : chunks) {
          if (ch.wantLogits()) {
            out.put(ch.seqId(), logits[i++]);
          }
        }
      } else {
        transport.sendActivations(batch.stepId(), m, hidden);
      }
    }
    return spec.lastStage() && spec.tpRank() == 0 ? new StepOutput(batch.stepId(), out) : null;
  }

  @Override
  public void close() {
    mm.close();
  }
}
