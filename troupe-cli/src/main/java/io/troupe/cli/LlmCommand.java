package io.troupe.cli;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.chat.ChatMessage;
import io.troupe.llm.chat.ChatTemplate;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.local.LocalModel;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.parallel.InProcessRanks;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.tokenizer.StreamingDecoder;
import io.troupe.llm.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe llm write-model|generate}: the built-in engine on this machine, without a cluster —
 * write a deterministic random-weight model (its output is noise; point at a real checkpoint for
 * real text), and stream a completion from a model folder, optionally split over tensor/pipeline
 * parallel ranks inside this process.
 */
@Command(name = "llm", mixinStandardHelpOptions = true,
    description = "Write a random test model, or generate text with the built-in engine locally.",
    subcommands = {LlmCommand.WriteModel.class, LlmCommand.Generate.class})
public final class LlmCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: write-model or generate");
  }

  /** {@code troupe llm write-model DIR [--preset tiny|small|tinyllama-1.1b] [--dtype f32|f16|bf16] [--seed N]}. */
  @Command(name = "write-model", mixinStandardHelpOptions = true,
      description = "Write a deterministic random-weight Llama model with a working tokenizer (its output is noise).")
  public static final class WriteModel implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(paramLabel = "DIR", description = "Folder to write (Hugging Face layout).")
    Path dir;

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny, small or tinyllama-1.1b (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--dtype", description = "f32, f16 or bf16 (default: the preset's).")
    String dtype;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    public WriteModel(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
      List<String> args = new java.util.ArrayList<>(List.of(dir.toString(), "--preset", preset, "--seed",
          Long.toString(seed)));
      if (dtype != null) {
        args.addAll(List.of("--dtype", dtype));
      }
      try {
        RandomModelWriter.main(args.toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      return 0;
    }
  }

  /** {@code troupe llm generate DIR --prompt TEXT [--chat] [--max-tokens N] [--tp N] [--pp N]}. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Stream a completion from a model folder with the built-in engine, in this process.")
  public static final class Generate implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(paramLabel = "DIR", description = "Model folder (config.json, tokenizer.json, *.safetensors).")
    Path dir;

    @Option(names = "--prompt", required = true, description = "The prompt text.")
    String prompt;

    @Option(names = "--chat", description = "Wrap the prompt as a user message with the model's chat template.")
    boolean chat;

    @Option(names = "--max-tokens", defaultValue = "32", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", description = "Sampling seed (same seed, same output).")
    Long seed;

    @Option(names = "--tp", defaultValue = "1", description = "Tensor-parallel ranks (default: ${DEFAULT-VALUE}).")
    int tp;

    @Option(names = "--pp", defaultValue = "1", description = "Pipeline-parallel stages (default: ${DEFAULT-VALUE}).")
    int pp;

    public Generate(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
      if (tp < 1 || pp < 1 || maxTokens < 1) {
        throw new CliException("--tp, --pp and --max-tokens must be at least 1");
      }
      LocalModel model;
      try {
        model = LocalModel.open(dir, tp, pp, RankOptions.defaults(), LocalModel.IN_PROCESS);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      Tokenizer tokenizer = model.tokenizer();
      String text = prompt;
      if (chat) {
        text = model.chatTemplate().render(List.of(new ChatMessage("user", prompt)), true);
      }
      int[] ids = tokenizer.encode(text, !chat);
      SamplingParams.Builder sp = SamplingParams.builder().maxTokens(maxTokens).temperature(temperature);
      if (seed != null) {
        sp.seed(seed);
      }
      StreamingDecoder stream = tokenizer.newStreamingDecoder(true);
      CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
      long t0 = System.nanoTime();
      long[] firstToken = {0};
      try (LlmEngine engine = model.startEngine(EngineConfig.defaults(), InstantSource.system(),
          RandomGenerator.getDefault())) {
        engine.submit(new GenerationRequest("cli", ids, sp.build()), event -> {
          switch (event) {
            case GenerationEvent.Token t -> {
              if (firstToken[0] == 0) {
                firstToken[0] = System.nanoTime();
              }
              ctx.out().print(stream.next(t.tokenId()));
              ctx.out().flush();
            }
            case GenerationEvent.Finished f -> {
              ctx.out().print(stream.finish());
              done.complete(f);
            }
          }
        });
        GenerationEvent.Finished f = done.get(10, TimeUnit.MINUTES);
        double secs = (System.nanoTime() - t0) / 1e9;
        ctx.out().println();
        ctx.err().printf(Locale.ROOT, "[%d prompt tokens, %d generated, finish: %s%s; first token %.2f s, %.1f tokens/s; "
            + "tp=%d pp=%d]%n", ids.length, f.outputTokens().length, f.reason().name().toLowerCase(Locale.ROOT),
            f.detail() == null ? "" : " (" + f.detail() + ")",
            firstToken[0] == 0 ? secs : (firstToken[0] - t0) / 1e9, f.outputTokens().length / secs, tp, pp);
        ctx.err().flush();
        return f.reason() == FinishReason.ERROR ? 1 : 0;
      }
    }
  }
}
