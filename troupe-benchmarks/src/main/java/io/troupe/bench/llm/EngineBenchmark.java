package io.troupe.bench.llm;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.local.LocalModel;
import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.model.DType;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.model.WeightType;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Prefill and decode throughput of the engine on one rank, against the decode ceiling implied by this
 * machine's measured memory read bandwidth and the model's weight bytes per forward pass (one pass makes
 * one token per sequence, so the ceiling at batch b is {@code b * bandwidth / bytes}). A program, not a test.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g -cp ... io.troupe.bench.llm.EngineBenchmark \
 *   [--model DIR] [--threads N] [--int8] [--batches 1,8,32] [--prompt 32] [--decode 8] [--repeat 1]
 *   [--dtype bf16|f32] [--weights auto|float32|bfloat16|float16|int8]
 * </pre>
 * {@code --dtype} is the element type of the written model file; {@code --weights} how the engine holds the weight
 * matrices in memory (default auto: as stored; {@code --int8} is {@code --weights int8}).
 * Without {@code --model} it writes a TinyLlama-1.1B-shaped random model ({@code --dtype}, BF16 ~2.2 GB by
 * default) to a temp folder. Prefill is also shown against the decode ceiling: it is the same weights read
 * once per forward pass, so above 100% means prefill is no longer bound by memory. Figures are medians of
 * {@code --repeat} runs per batch size.
 */
public final class EngineBenchmark {
  private static final AtomicInteger RUNS = new AtomicInteger();

  private EngineBenchmark() {}

  /** The benchmark's settings; {@link #parse} reads them from the command line. */
  public record Options(Path model, int threads, boolean int8, int[] batches, int prompt, int decode, int repeat,
                        DType dtype, WeightType weights) {
    public Options(Path model, int threads, boolean int8, int[] batches, int prompt, int decode, int repeat,
                   DType dtype) {
      this(model, threads, int8, batches, prompt, decode, repeat, dtype, int8 ? WeightType.INT8 : WeightType.AUTO);
    }

    public static Options parse(String[] args) {
      Path model = null;
      int threads = Runtime.getRuntime().availableProcessors();
      boolean int8 = false;
      int[] batches = {1, 8, 32};
      int prompt = 32;
      int decode = 8;
      int repeat = 1;
      DType dtype = DType.BF16;
      WeightType weights = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--model" -> model = Path.of(args[++i]);
          case "--threads" -> threads = Integer.parseInt(args[++i]);
          case "--int8" -> int8 = true;
          case "--batches" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          case "--prompt" -> prompt = Integer.parseInt(args[++i]);
          case "--decode" -> decode = Integer.parseInt(args[++i]);
          case "--repeat" -> repeat = Integer.parseInt(args[++i]);
          case "--dtype" -> dtype = DType.parse(args[++i].toUpperCase(Locale.ROOT));
          case "--weights" -> weights = WeightType.parse(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      return new Options(model, threads, int8, batches, prompt, decode, repeat, dtype,
          weights != null ? weights : int8 ? WeightType.INT8 : WeightType.AUTO);
    }

    /** The model folder, writing a TinyLlama-1.1B-shaped random one in {@link #dtype} when none was given. */
    public Path modelOrWrite() throws IOException {
      if (model != null) {
        return model;
      }
      Path dir = Files.createTempDirectory("troupe-bench-tinyllama");
      long t0 = System.nanoTime();
      RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINYLLAMA_1_1B).withDType(dtype), dir);
      System.out.printf(Locale.ROOT, "wrote random TinyLlama-1.1B-shaped %s model to %s in %.1f s%n", dtype, dir,
          (System.nanoTime() - t0) / 1e9);
      return dir;
    }
  }

  /** Median tokens/s over the repeats for one batch size. */
  public record Result(int batch, double prefillTokPerS, double decodeTokPerS) {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path model = o.modelOrWrite();
    double bw = MemoryBandwidth.measureGBps(o.threads());
    System.out.printf(Locale.ROOT, "kernels %s, %d threads; measured read bandwidth %.1f GB/s%n",
        Kernels.best().name(), o.threads(), bw);
    Measured m = measure(model, o);
    printTable("troupe", m.results(), bw, m.bytesPerToken());
  }

  /** Our engine's figures and its weight bytes per forward pass. */
  public record Measured(List<Result> results, long bytesPerToken) {}

  /** Loads {@code model} into a one-rank engine and runs every batch size {@code repeat} times. */
  public static Measured measure(Path model, Options o) throws Exception {
    int maxBatch = Arrays.stream(o.batches()).max().orElse(1);
    long kvBytes = 1L << 30;
    long t0 = System.nanoTime();
    SingleRankExecutor exec = (SingleRankExecutor) LocalModel.open(model, RankOptions.defaults()
        .withThreads(o.threads()).withWeights(o.weights()).withKvCacheBytes(kvBytes)).executor(); // one rank
    long bytes = exec.worker().weights().bytesPerToken();
    System.out.printf(Locale.ROOT, "loaded %s in %.1f s: %s, %.2f GB of weights per forward pass, %.2f GB held%n",
        model, (System.nanoTime() - t0) / 1e9, exec.describe(), bytes / 1e9,
        exec.worker().weights().memoryBytes() / 1e9);
    List<Result> results = new ArrayList<>();
    try (LlmEngine engine = new LlmEngine(exec, EngineConfig.defaults().withMaxBatchTokens(maxBatch * o.prompt())
        .withMaxRunningSeqs(maxBatch).withPrefixCaching(false), null, InstantSource.system(),
        new SplittableRandom(1))) {
      for (int b : o.batches()) {
        double[] pre = new double[o.repeat()];
        double[] dec = new double[o.repeat()];
        for (int i = 0; i < o.repeat(); i++) {
          double[] r = run(engine, b, o.prompt(), o.decode(), exec.worker().weights().config().vocabSize());
          pre[i] = r[0];
          dec[i] = r[1];
          System.out.printf(Locale.ROOT, "  troupe batch %d run %d: prefill %.1f tok/s, decode %.2f tok/s%n", b, i,
              r[0], r[1]);
        }
        results.add(new Result(b, median(pre), median(dec)));
      }
    }
    return new Measured(results, bytes);
  }

  /** Prints one engine's medians against the decode ceiling {@code b * bandwidth / bytes}. */
  public static void printTable(String engine, List<Result> results, double bwGBps, long bytesPerToken) {
    System.out.printf(Locale.ROOT, "%-8s %-6s %14s %9s %14s %16s %9s%n", "engine", "batch", "prefill tok/s",
        "ratio", "decode tok/s", "decode ceiling", "ratio");
    for (Result r : results) {
      double ceiling = r.batch() * bwGBps * 1e9 / bytesPerToken;
      System.out.printf(Locale.ROOT, "%-8s %-6d %14.1f %8.0f%% %14.2f %16.2f %8.0f%%%n", engine, r.batch(),
          r.prefillTokPerS(), 100 * r.prefillTokPerS() / ceiling, r.decodeTokPerS(), ceiling,
          100 * r.decodeTokPerS() / ceiling);
    }
  }

  public static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Returns {prefill tokens/s, decode tokens/s} for {@code b} concurrent sequences. */
  private static double[] run(LlmEngine engine, int b, int prompt, int decode, int vocab) {
    AtomicInteger firsts = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<String> error = new AtomicReference<>();
    SplittableRandom r = new SplittableRandom(b);
    List<GenerationRequest> reqs = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      int[] p = new int[prompt];
      for (int j = 0; j < prompt; j++) {
        p[j] = 3 + r.nextInt(Math.min(31000, vocab - 3));
      }
      reqs.add(new GenerationRequest("b" + b + "-" + RUNS.get() + "-" + i, p, SamplingParams.builder().maxTokens(decode + 1)
          .ignoreEos(true).build()));
    }
    for (GenerationRequest q : reqs) {
      engine.submit(q, e -> {
        switch (e) {
          case GenerationEvent.Token t -> {
            if (t.index() == 0) {
              firsts.incrementAndGet();
            }
          }
          case GenerationEvent.Finished f -> {
            if (f.reason() == FinishReason.ERROR) {
              error.set(f.detail());
            }
            done.incrementAndGet();
          }
        }
      });
    }
    RUNS.incrementAndGet();
    long t0 = System.nanoTime();
    while (firsts.get() < b && error.get() == null) {
      engine.step();
    }
    long t1 = System.nanoTime();
    while (done.get() < b) {
      engine.step();
    }
    if (error.get() != null) {
      throw new IllegalStateException("benchmark request failed: " + error.get());
    }
    long t2 = System.nanoTime();
    return new double[] {(double) b * prompt / ((t1 - t0) / 1e9), (double) b * decode / ((t2 - t1) / 1e9)};
  }
}
