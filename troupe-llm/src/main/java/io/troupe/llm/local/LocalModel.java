package io.troupe.llm.local;

import io.troupe.llm.chat.ChatTemplate;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.parallel.InProcessRanks;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.random.RandomGenerator;

/**
 * A model folder opened for generation: its tokenizer and chat template, and its weights loaded into a
 * {@link ModelExecutor} — one rank in this process, or {@code tp x pp} ranks started by a {@link RankLauncher}
 * (in this process by default; the LLM server passes one that starts rank actors in its placement group).
 * The one way the LLM server, the CLI ({@code troupe llm generate}) and the benchmarks open a local model.
 *
 * <p>Closing it closes the executor (and so its ranks). Not thread-safe to open; the parts are as thread-safe as
 * their own classes say.
 */
public final class LocalModel implements AutoCloseable {
  /** Starts the ranks of a {@code tp x pp > 1} model and returns their executor. */
  @FunctionalInterface
  public interface RankLauncher {
    ModelExecutor launch(Path dir, int tp, int pp, RankOptions options);
  }

  /** Ranks as threads of this process ({@link InProcessRanks}), each started within 30 s. */
  public static final RankLauncher IN_PROCESS = (dir, tp, pp, options) ->
      InProcessRanks.start(dir, tp, pp, options, Duration.ofSeconds(30)).executor();

  private final Path dir;
  private final Tokenizer tokenizer;
  private final ChatTemplate chatTemplate;
  private final ModelExecutor executor;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile LlmEngine engine;

  private LocalModel(Path dir, Tokenizer tokenizer, ChatTemplate chatTemplate, ModelExecutor executor) {
    this.dir = dir;
    this.tokenizer = tokenizer;
    this.chatTemplate = chatTemplate;
    this.executor = executor;
  }

  /** One rank in this process. */
  public static LocalModel open(Path dir, RankOptions options) {
    return open(dir, 1, 1, options, IN_PROCESS);
  }

  /**
   * Opens {@code dir} with {@code tp x pp} ranks: one in this process when the product is 1, else those
   * {@code launcher} starts.
   *
   * @param dir a Hugging Face model folder, or a llama.cpp {@code .gguf} file (or a folder whose only model is one)
   * @throws IllegalArgumentException when {@code dir} holds no model (no {@code config.json}, no GGUF file) or tp/pp
   *     are below 1
   */
  public static LocalModel open(Path dir, int tp, int pp, RankOptions options, RankLauncher launcher) {
    if (!Files.isRegularFile(dir.resolve("config.json")) && io.troupe.llm.model.ModelFolder.ggufFile(dir).isEmpty()) {
      throw new IllegalArgumentException("no model in " + dir + " (config.json missing); write a random one with "
          + "'troupe llm write-model " + dir + "' or point to a Hugging Face model folder or a .gguf file");
    }
    if (tp < 1 || pp < 1) {
      throw new IllegalArgumentException("tensor and pipeline parallel sizes must be at least 1, got tp=" + tp
          + " pp=" + pp);
    }
    Tokenizer tokenizer = Tokenizer.fromDirectory(dir);
    ChatTemplate template = ChatTemplate.forTokenizer(tokenizer);
    ModelExecutor executor = tp * pp == 1 ? SingleRankExecutor.load(dir, options) : launcher.launch(dir, tp, pp, options);
    return new LocalModel(dir, tokenizer, template, executor);
  }

  public Path dir() {
    return dir;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public ChatTemplate chatTemplate() {
    return chatTemplate;
  }

  public ModelExecutor executor() {
    return executor;
  }

  /**
   * A started engine over this model (at most one), decoding with its tokenizer. Closing the engine closes the
   * executor; closing this model closes the engine.
   */
  public synchronized LlmEngine startEngine(EngineConfig config, InstantSource clock, RandomGenerator random) {
    if (engine != null || closed.get()) {
      throw new IllegalStateException("the model in " + dir + " already has an engine, or is closed");
    }
    LlmEngine e = new LlmEngine(executor, config, t -> tokenizer.decode(t, true), clock, random);
    e.start();
    engine = e;
    return e;
  }

  /** Closes the engine if one was started (which closes the executor), else the executor; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LlmEngine e = engine;
    if (e != null) {
      e.close();
    } else {
      executor.close();
    }
  }
}
