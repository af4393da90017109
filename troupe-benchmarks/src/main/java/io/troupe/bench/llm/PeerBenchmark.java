package io.troupe.bench.llm;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import io.troupe.llm.kernels.Kernels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * {@link EngineBenchmark} with Jlama 0.8.4 as a peer, in one JVM on the same model folder, thread count,
 * prompt length and decode length. A program in the test sources (Jlama is a test-scope dependency; the
 * engine never sees it), not a test.
 *
 * <p>Jlama is driven through its own prefill/decode calls ({@code batchForward} over the prompt, then one
 * {@code forward} per token, greedy {@code sample}), which is what its {@code generate} does minus text
 * decoding. Jlama 0.8.4 runs one sequence per forward pass, so it is measured at batch 1 only; b
 * sequences through it take b times as long. For a float32 model folder it computes in float32
 * (its loader keeps F32 working memory for F32 weights), the same bytes per token as ours.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g -cp target/classes:target/test-classes:DEPS \
 *   io.troupe.bench.llm.PeerBenchmark --dtype f32 [EngineBenchmark options]
 * </pre>
 */
public final class PeerBenchmark {
  private PeerBenchmark() {}

  public static void main(String[] args) throws Exception {
    EngineBenchmark.Options o = EngineBenchmark.Options.parse(args);
    Path model = o.modelOrWrite();
    double bw = MemoryBandwidth.measureGBps(o.threads());
    System.out.printf(Locale.ROOT, "kernels %s, %d threads; measured read bandwidth %.1f GB/s%n",
        Kernels.best().name(), o.threads(), bw);
    EngineBenchmark.Measured ours = EngineBenchmark.measure(model, o);
    System.gc();
    List<EngineBenchmark.Result> jlama = measureJlama(model, o);
    System.out.printf(Locale.ROOT, "%nmedians of %d runs; prompt %d, decode %d tokens per sequence%n", o.repeat(),
        o.prompt(), o.decode());
    EngineBenchmark.printTable("troupe", ours.results(), bw, ours.bytesPerToken());
    EngineBenchmark.printTable("jlama", jlama, bw, ours.bytesPerToken());
  }

  static List<EngineBenchmark.Result> measureJlama(Path model, EngineBenchmark.Options o) {
    long t0 = System.nanoTime();
    AbstractModel m = ModelSupport.loadModel(model.toFile(), null, DType.F32, DType.I8, Optional.empty(),
        Optional.of(o.threads()));
    System.out.printf(Locale.ROOT, "jlama 0.8.4 loaded %s in %.1f s (working dtype %s)%n", model,
        (System.nanoTime() - t0) / 1e9, m.getWorkingDType());
    int vocab = m.getConfig().vocabularySize;
    SplittableRandom rnd = new SplittableRandom(1);
    double[] pre = new double[o.repeat()];
    double[] dec = new double[o.repeat()];
    try (KvBufferCache cache = new KvBufferCache(m)) {
      for (int rep = 0; rep < o.repeat(); rep++) {
        int[] prompt = new int[o.prompt()];
        for (int j = 0; j < prompt.length; j++) {
          prompt[j] = 3 + rnd.nextInt(Math.min(31000, vocab - 3));
        }
        try (KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
             AbstractTensor logits = m.makeDenseTensor(vocab)) {
          long a = System.nanoTime();
          AbstractTensor last = m.batchForward(prompt, 0, kv);
          int next = m.sample(last.slice(last.shape().first() - 1), 0f, 0f, logits);
          last.close();
          long b = System.nanoTime();
          for (int i = 0; i < o.decode(); i++) {
            AbstractTensor out = m.forward(next, prompt.length + i, kv, Optional.empty());
            next = m.sample(out, 0f, 0f, logits);
            out.close();
            kv.incrementContextPosition();
          }
          long c = System.nanoTime();
          pre[rep] = prompt.length / ((b - a) / 1e9);
          dec[rep] = o.decode() / ((c - b) / 1e9);
          System.out.printf(Locale.ROOT, "  jlama batch 1 run %d: prefill %.1f tok/s, decode %.2f tok/s (last %d)%n",
              rep, pre[rep], dec[rep], next);
        }
      }
    }
    m.close();
    List<EngineBenchmark.Result> out = new ArrayList<>();
    out.add(new EngineBenchmark.Result(1, EngineBenchmark.median(pre), EngineBenchmark.median(dec)));
    return out;
  }
}
