package io.troupe.llm.engine;

import io.troupe.llm.api.EngineMetrics;
import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationListener;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.api.TokenDecoder;
import io.troupe.llm.model.ModelConfig;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.spi.SequenceChunk;
import io.troupe.llm.spi.StepBatch;
import io.troupe.llm.spi.StepOutput;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in LLM engine: continuous batching over a {@link ModelExecutor} (one rank or a rank group).
 * {@link #submit} and {@link #abort} may be called from any thread; they enqueue commands. All state —
 * scheduler, KV block manager, sequences — is owned by the single step thread: either the thread that
 * calls {@link #step()} / {@link #runUntilIdle()} (tests, benchmarks), or the loop thread of
 * {@link #start()}; never both. Listeners are called on that thread. Time and randomness are injected.
 */
public final class LlmEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LlmEngine.class);

  private sealed interface Command {}

  private record Submit(GenerationRequest request, GenerationListener listener) implements Command {}

  private record Abort(String requestId) implements Command {}

  private final ModelExecutor executor;
  private final ModelConfig model;
  private final EngineConfig config;
  private final TokenDecoder decoder;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final BlockManager blocks;
  private final Scheduler scheduler;
  private final MetricsRecorder recorder = new MetricsRecorder();
  private final Map<String, Sequence> live = new HashMap<>();
  private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
  private final int capacity;
  private volatile EngineMetrics metrics;
  private volatile Thread loop;
  private volatile boolean closed;
  private String failure;
  private long nextSeqId;
  private long stepId;

  /**
   * @param decoder token decoder for stop strings, or null (then requests with stop strings are refused)
   */
  public LlmEngine(ModelExecutor executor, EngineConfig config, TokenDecoder decoder, InstantSource clock,
                   RandomGenerator random) {
    this.executor = executor;
    this.model = executor.config();
    this.config = config;
    this.decoder = decoder;
    this.clock = clock;
    this.random = random;
    this.blocks = new BlockManager(executor.kvBlocks(), executor.blockSize(), config.prefixCaching());
    this.scheduler = new Scheduler(blocks, config);
    this.capacity = (int) Math.min(model.maxPositions(), (long) executor.kvBlocks() * executor.blockSize());
    publishMetrics();
  }

  /** Queues a request; its listener gets tokens and then one finish event. Thread-safe. */
  public void submit(GenerationRequest request, GenerationListener listener) {
    commands.add(new Submit(request, listener));
    wake();
  }

  /** Aborts a request: it finishes with ABORT and its blocks are freed before the next step. Thread-safe. */
  public void abort(String requestId) {
    commands.add(new Abort(requestId));
    wake();
  }

  /** The latest metrics snapshot. Thread-safe. */
  public EngineMetrics metrics() {
    return metrics;
  }

  public ModelExecutor executor() {
    return executor;
  }

  /** Runs one iteration on the calling thread. Returns whether any request is still pending. */
  public boolean step() {
    drainCommands();
    if (scheduler.idle()) {
      publishMetrics();
      return !commands.isEmpty();
    }
    long t0 = nanos();
    List<Scheduler.Chunk> chunks = scheduler.schedule();
    if (chunks.isEmpty()) {
      publishMetrics();
      return true;
    }
    List<SequenceChunk> batch = new ArrayList<>(chunks.size());
    for (Scheduler.Chunk c : chunks) {
      Sequence s = c.seq();
      int[] toks = java.util.Arrays.copyOfRange(s.tokens, c.start(), c.start() + c.count());
      batch.add(new SequenceChunk(s.id, toks, c.start(), s.blockTable(), c.completesKnownTokens()));
    }
    StepOutput out;
    try {
      out = executor.execute(new StepBatch(stepId++, 0, batch, config.microBatches()));
    } catch (RuntimeException e) {
      failAll("model executor failed: " + e.getMessage());
      LOG.error("model executor failed; failing all requests", e);
      if (executor.recovers()) { // e.g. a gang restart: later requests run on new ranks with empty KV memory
        failure = null;
        blocks.forgetCachedPrefixes();
        publishMetrics();
      }
      return false;
    }
    int promptTokens = 0;
    int sampled = 0;
    long now = nanos();
    for (Scheduler.Chunk c : chunks) {
      Sequence s = c.seq();
      promptTokens += Math.max(0, Math.min(s.promptLength, c.start() + c.count()) - c.start());
      scheduler.computed(c);
      if (!c.completesKnownTokens()) {
        continue;
      }
      float[] logits = out.logits().get(s.id);
      if (logits == null) {
        failAll("executor returned no logits for sequence " + s.id + " in step " + (stepId - 1));
        return false;
      }
      int token = Sampler.sample(logits, s.request.params(), s.rng);
      s.append(token);
      sampled++;
      if (s.firstTokenNanos < 0) {
        s.firstTokenNanos = now;
        recorder.firstToken(now - s.arrivalNanos);
      }
      s.lastTokenNanos = now;
      emit(s, new GenerationEvent.Token(s.requestId(), token, s.outputCount() - 1));
      checkFinished(s, token);
    }
    recorder.step(nanos() - t0, promptTokens, sampled);
    publishMetrics();
    return !scheduler.idle() || !commands.isEmpty();
  }

  /** Steps on the calling thread until no request is pending. */
  public void runUntilIdle() {
    while (step()) {
      // keep stepping
    }
  }

  /** Starts the background step thread. */
  public synchronized void start() {
    if (loop != null) {
      return;
    }
    Thread t = new Thread(() -> {
      while (!closed) {
        try {
          if (!step()) {
            LockSupport.parkNanos(this, 50_000_000L);
          }
        } catch (RuntimeException e) {
          LOG.error("engine step failed", e);
          failAll("engine step failed: " + e);
        }
      }
    }, "troupe-llm-engine");
    t.setDaemon(true);
    loop = t;
    t.start();
  }

  private void wake() {
    Thread t = loop;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  private void drainCommands() {
    Command c;
    while ((c = commands.poll()) != null) {
      switch (c) {
        case Submit s -> admit(s.request(), s.listener());
        case Abort a -> {
          Sequence s = live.get(a.requestId());
          if (s != null) {
            scheduler.remove(s);
            finish(s, FinishReason.ABORT, null);
          }
        }
      }
    }
  }

  private void admit(GenerationRequest r, GenerationListener l) {
    int[] prompt = r.promptTokens();
    String error = null;
    if (failure != null) {
      error = failure;
    } else if (live.containsKey(r.requestId())) {
      error = "request id " + r.requestId() + " is already live";
    } else if (prompt.length >= capacity) {
      error = "prompt of " + prompt.length + " tokens does not fit: the context holds " + capacity
          + " positions (max_position_embeddings " + model.maxPositions() + ", KV cache "
          + (long) blocks.totalBlocks() * blocks.blockSize() + ")";
    } else if (!r.params().stopStrings().isEmpty() && decoder == null) {
      error = "stop strings need a tokenizer; this engine has no token decoder";
    } else {
      for (int t : prompt) {
        if (t < 0 || t >= model.vocabSize()) {
          error = "token id " + t + " outside the vocabulary of " + model.vocabSize();
          break;
        }
      }
    }
    if (error != null) {
      safeEmit(l, new GenerationEvent.Finished(r.requestId(), FinishReason.ERROR, new int[0], error));
      return;
    }
    SamplingParams p = r.params();
    RandomGenerator rng = new SplittableRandom(p.seed().orElseGet(random::nextLong));
    Sequence s = new Sequence(nextSeqId++, r, l, rng, nanos());
    live.put(r.requestId(), s);
    scheduler.add(s);
  }

  private void checkFinished(Sequence s, int token) {
    SamplingParams p = s.request.params();
    if (p.stopTokenIds().contains(token) || (!p.ignoreEos() && model.eosTokenIds().contains(token))) {
      finish(s, FinishReason.STOP, null);
      return;
    }
    if (!p.stopStrings().isEmpty()) {
      String text = decoder.decode(s.output());
      for (String stop : p.stopStrings()) {
        if (!stop.isEmpty() && text.contains(stop)) {
          finish(s, FinishReason.STOP, stop);
          return;
        }
      }
    }
    if (s.outputCount() >= p.maxTokens() || s.length >= capacity) {
      finish(s, FinishReason.LENGTH, null);
    }
  }

  private void finish(Sequence s, FinishReason reason, String detail) {
    scheduler.finish(s);
    live.remove(s.requestId());
    recorder.finished(s);
    emit(s, new GenerationEvent.Finished(s.requestId(), reason, s.output(), detail));
  }

  private void failAll(String message) {
    failure = message;
    for (Sequence s : scheduler.all()) {
      finish(s, FinishReason.ERROR, message);
    }
    drainCommands(); // queued submits fail at once too
    publishMetrics();
  }

  private void emit(Sequence s, GenerationEvent e) {
    safeEmit(s.listener, e);
  }

  private static void safeEmit(GenerationListener l, GenerationEvent e) {
    try {
      l.onEvent(e);
    } catch (RuntimeException ex) {
      LOG.warn("listener of {} threw; ignored", e.requestId(), ex);
    }
  }

  private void publishMetrics() {
    metrics = recorder.snapshot(scheduler.runningCount(), scheduler.waitingCount(), blocks, scheduler.preemptions());
  }

  private long nanos() {
    Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** Stops the loop thread (if started) and closes the executor. */
  @Override
  public void close() {
    closed = true;
    Thread t = loop;
    if (t != null) {
      LockSupport.unpark(t);
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    executor.close();
  }
}
