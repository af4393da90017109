package io.troupe.llm.bench;

import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.kernels.Kernels;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prefill and decode throughput of the engine on one rank, against the decode ceiling implied by this
 * machine's measured memory read bandwidth and the model's weight bytes per forward pass (one pass makes
 * one token per sequence, so the ceiling at batch b is {@code b * bandwidth / bytes}). A program, not a test.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g -cp ... io.troupe.llm.bench.EngineBenchmark \
 *   [--model DIR] [--threads N] [--int8] [--batches 1,8,32] [--prompt 32] [--decode 8]
 * </pre>
 * Without {@code --model} it writes a TinyLlama-1.1B-shaped random model (BF16, ~2.2 GB) to a temp folder.
 */
public final class EngineBenchmark {
  private EngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = null;
    int threads = Runtime.getRuntime().availableProcessors();
    boolean int8 = false;
    int[] batches = {1, 8, 32};
    int prompt = 32;
    int decode = 8;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--int8" -> int8 = true;
        case "--batches" -> batches = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--prompt" -> prompt = Integer.parseInt(args[++i]);
        case "--decode" -> decode = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (model == null) {
      model = Files.createTempDirectory("troupe-bench-tinyllama");
      long t0 = System.nanoTime();
      RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINYLLAMA_1_1B), model);
      System.out.printf(Locale.ROOT, "wrote random TinyLlama-1.1B-shaped model to %s in %.1f s%n", model,
          (System.nanoTime() - t0) / 1e9);
    }
    double bw = MemoryBandwidth.measureGBps(threads);
    System.out.printf(Locale.ROOT, "kernels %s, %d threads; measured read bandwidth %.1f GB/s%n",
        Kernels.best().name(), threads, bw);
    int maxBatch = java.util.Arrays.stream(batches).max().orElse(1);
    long kvBytes = 1L << 30;
    long t0 = System.nanoTime();
    SingleRankExecutor exec = SingleRankExecutor.load(model, RankOptions.defaults().withThreads(threads)
        .withInt8(int8).withKvCacheBytes(kvBytes));
    long bytes = exec.worker().weights().bytesPerToken();
    System.out.printf(Locale.ROOT, "loaded %s in %.1f s: %s, %.2f GB of weights per forward pass%n", model,
        (System.nanoTime() - t0) / 1e9, exec.describe(), bytes / 1e9);
    System.out.printf(Locale.ROOT, "%-6s %14s %14s %16s %10s%n", "batch", "prefill tok/s", "decode tok/s",
        "decode ceiling", "ratio");
    try (LlmEngine engine = new LlmEngine(exec, EngineConfig.defaults().withMaxBatchTokens(maxBatch * prompt)
        .withMaxRunningSeqs(maxBatch).withPrefixCaching(false), null, InstantSource.system(),
        new SplittableRandom(1))) {
      for (int b : batches) {
        double[] r = run(engine, b, prompt, decode);
        double ceiling = b * bw * 1e9 / bytes;
        System.out.printf(Locale.ROOT, "%-6d %14.1f %14.2f %16.2f %9.0f%%%n", b, r[0], r[1], ceiling,
            100 * r[1] / ceiling);
      }
    }
  }

  /** Returns {prefill tokens/s, decode tokens/s} for {@code b} concurrent sequences. */
  private static double[] run(LlmEngine engine, int b, int prompt, int decode) {
    AtomicInteger firsts = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    SplittableRandom r = new SplittableRandom(b);
    List<GenerationRequest> reqs = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      int[] p = new int[prompt];
      for (int j = 0; j < prompt; j++) {
        p[j] = 3 + r.nextInt(31000);
      }
      reqs.add(new GenerationRequest("b" + b + "-" + i, p, SamplingParams.builder().maxTokens(decode + 1)
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
          case GenerationEvent.Finished f -> done.incrementAndGet();
        }
      });
    }
    long t0 = System.nanoTime();
    while (firsts.get() < b) {
      engine.step();
    }
    long t1 = System.nanoTime();
    while (done.get() < b) {
      engine.step();
    }
    long t2 = System.nanoTime();
    return new double[] {(double) b * prompt / ((t1 - t0) / 1e9), (double) b * decode / ((t2 - t1) / 1e9)};
  }
}
