package io.troupe.llm.model;

import static io.troupe.llm.model.LlamaTensorNames.EMBED;
import static io.troupe.llm.model.LlamaTensorNames.FINAL_NORM;
import static io.troupe.llm.model.LlamaTensorNames.LM_HEAD;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.llm.model.SafetensorsWriter.PendingTensor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a deterministic random-weight Llama model in the Hugging Face layout (config.json, safetensors,
 * optionally sharded with an index, and a synthetic tokenizer when the tokenizer module provides one).
 *
 * <p><b>The weights are random: the model's output is noise.</b> It exists for tests, demos and
 * benchmarks, where shapes and bytes matter and quality does not. The same spec (preset, dtype, seed)
 * always yields byte-identical files; each element is a hash of (seed, tensor name, index).
 *
 * <p>Stateless; safe to call from any thread. Run {@link #main} for the command-line form.
 */
public final class RandomModelWriter {
  private RandomModelWriter() {}

  /** Size presets. */
  public enum Preset {
    /** A few hundred KB: hidden 64, 2 layers, vocab 512. For unit tests. */
    TINY(new ModelConfig(64, 176, 2, 4, 2, 16, 512, 2048, 1e-5, 10000.0, null, false, false, 1, List.of(2),
        "llama", "float32"), DType.F32),
    /** A few MB: hidden 256, 4 layers, vocab 2048. For demos. */
    SMALL(new ModelConfig(256, 688, 4, 8, 4, 32, 2048, 2048, 1e-5, 10000.0, null, false, false, 1, List.of(2),
        "llama", "bfloat16"), DType.BF16),
    /** TinyLlama-1.1B's shape (2.2 GB as BF16). For benchmarks. */
    TINYLLAMA_1_1B(new ModelConfig(2048, 5632, 22, 32, 4, 64, 32000, 2048, 1e-5, 10000.0, null, false, false, 1,
        List.of(2), "llama", "bfloat16"), DType.BF16);

    private final ModelConfig config;
    private final DType dtype;

    Preset(ModelConfig config, DType dtype) {
      this.config = config;
      this.dtype = dtype;
    }

    public ModelConfig config() {
      return config;
    }

    public DType defaultDType() {
      return dtype;
    }

    /** Parses "tiny", "small" or "tinyllama-1.1b". */
    public static Preset parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_'));
    }
  }

  /**
   * What to write.
   *
   * @param config        shapes (its torch_dtype is replaced by {@code dtype})
   * @param dtype         element type on disk
   * @param seed          weights are a pure function of the seed
   * @param maxShardBytes above this many bytes the weights are split into shards with an index
   */
  public record Spec(ModelConfig config, DType dtype, long seed, long maxShardBytes) {
    public static Spec of(Preset p) {
      return new Spec(p.config(), p.defaultDType(), 42L, 2L << 30);
    }

    public Spec withSeed(long s) {
      return new Spec(config, dtype, s, maxShardBytes);
    }

    public Spec withDType(DType d) {
      return new Spec(config, d, seed, maxShardBytes);
    }

    public Spec withMaxShardBytes(long b) {
      return new Spec(config, dtype, seed, b);
    }

    public Spec withConfig(ModelConfig c) {
      return new Spec(c, dtype, seed, maxShardBytes);
    }
  }

  /** Writes the model into {@code dir} (created if needed). Returns the total weight bytes. */
  public static long write(Spec spec, Path dir) throws IOException {
    Files.createDirectories(dir);
    ModelConfig c = spec.config();
    ModelConfig cfg = c.withTorchDtype(spec.dtype().torchName());
    cfg.write(dir);
    List<PendingTensor> all = tensors(cfg, spec.dtype(), spec.seed());
    long total = all.stream().mapToLong(PendingTensor::byteSize).sum();
    Map<String, String> meta = Map.of("format", "pt", "troupe", "random weights; output is noise");
    if (total <= spec.maxShardBytes()) {
      SafetensorsWriter.write(dir.resolve(ModelFolder.SINGLE_FILE), all, meta);
    } else {
      writeSharded(dir, all, spec.maxShardBytes(), total, meta);
    }
    writeTokenizer(dir, cfg.vocabSize());
    Files.writeString(dir.resolve("README.md"), "# Random-weight model (Troupe)\n\n"
        + "Written by io.troupe.llm.model.RandomModelWriter with seed " + spec.seed() + ". The weights are "
        + "deterministic random numbers: **the output is noise**. Use it for tests, demos and benchmarks.\n",
        StandardCharsets.UTF_8);
    return total;
  }

  private static void writeSharded(Path dir, List<PendingTensor> all, long maxShard, long total,
                                   Map<String, String> meta) throws IOException {
    List<List<PendingTensor>> shards = new ArrayList<>();
    List<PendingTensor> cur = new ArrayList<>();
    long curBytes = 0;
    for (PendingTensor t : all) {
      if (!cur.isEmpty() && curBytes + t.byteSize() > maxShard) {
        shards.add(cur);
        cur = new ArrayList<>();
        curBytes = 0;
      }
      cur.add(t);
      curBytes += t.byteSize();
    }
    shards.add(cur);
    ObjectMapper json = new ObjectMapper();
    ObjectNode index = json.createObjectNode();
    index.putObject("metadata").put("total_size", total);
    ObjectNode map = index.putObject("weight_map");
    for (int s = 0; s < shards.size(); s++) {
      String name = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", s + 1, shards.size());
      SafetensorsWriter.write(dir.resolve(name), shards.get(s), meta);
      for (PendingTensor t : shards.get(s)) {
        map.put(t.name(), name);
      }
    }
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(ModelFolder.INDEX_FILE).toFile(), index);
  }

  /**
   * {@code base}'s shapes as a model of another family, with that family's features switched on: Mistral and
   * Phi-3 slide every layer over {@code window} tokens; Gemma 2 slides the even layers and soft-caps attention
   * (50) and logits (30); Gemma 3 slides five layers of six with a local RoPE base of 10000. Qwen2 gets q/k/v
   * biases; Gemma ties the embeddings.
   */
  public static ModelConfig asFamily(ModelConfig base, Family family, int window) {
    int layers = base.numLayers();
    List<Boolean> sliding = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      sliding.add(switch (family) {
        case MISTRAL, PHI3 -> true;
        case GEMMA2 -> i % 2 == 0;
        case GEMMA3 -> (i + 1) % 6 != 0;
        default -> false;
      });
    }
    boolean slides = sliding.contains(true);
    Architecture arch = switch (family) {
      case GEMMA2 -> new Architecture(family, window, sliding, 0, base.headDim(), 50.0, 30.0);
      case GEMMA3 -> new Architecture(family, window, sliding, 10000.0, base.headDim(), 0, 0);
      default -> new Architecture(family, slides ? window : 0, slides ? sliding : List.of(), 0, 0, 0, 0);
    };
    boolean gemma = family.normPlusOne();
    return new ModelConfig(base.hiddenSize(), base.intermediateSize(), layers, base.numHeads(), base.numKvHeads(),
        base.headDim(), base.vocabSize(), base.maxPositions(), base.rmsNormEps(),
        family == Family.GEMMA3 ? 1_000_000.0 : base.ropeTheta(),
        family == Family.GEMMA3 ? new ModelConfig.RopeScaling("linear", 8.0, 1.0, 1.0, 0) : base.ropeScaling(),
        gemma || base.tieWordEmbeddings(), family == Family.QWEN2 || base.attentionBias() && family != Family.PHI3,
        base.bosTokenId(), base.eosTokenIds(), family.modelType(), base.torchDtype(), arch);
  }

  /** The tensors of a model of {@code c}'s family in Hugging Face naming, with deterministic random contents. */
  static List<PendingTensor> tensors(ModelConfig c, DType dt, long seed) {
    List<PendingTensor> out = new ArrayList<>();
    Family fam = c.family();
    int h = c.hiddenSize();
    int m = c.intermediateSize();
    double norm = fam.normPlusOne() ? 0.0 : 1.0; // Gemma stores norm weights as an offset from one
    out.add(matrix(EMBED, dt, c.vocabSize(), h, fam.scalesEmbedding() ? 1.0 / Math.sqrt(h) : 1.0, seed));
    for (int i = 0; i < c.numLayers(); i++) {
      out.add(vector(LlamaTensorNames.inputNorm(i), dt, h, norm, 0.2, seed));
      if (fam.fusedProjections()) {
        out.add(matrix(LlamaTensorNames.attn(i, "qkv_proj", "weight"), dt, c.qDim() + 2 * c.kvDim(), h,
            1.0 / Math.sqrt(h), seed));
      } else {
        out.add(matrix(LlamaTensorNames.attn(i, "q_proj", "weight"), dt, c.qDim(), h, 1.0 / Math.sqrt(h), seed));
        out.add(matrix(LlamaTensorNames.attn(i, "k_proj", "weight"), dt, c.kvDim(), h, 1.0 / Math.sqrt(h), seed));
        out.add(matrix(LlamaTensorNames.attn(i, "v_proj", "weight"), dt, c.kvDim(), h, 1.0 / Math.sqrt(h), seed));
      }
      if (c.attentionBias()) {
        out.add(vector(LlamaTensorNames.attn(i, "q_proj", "bias"), dt, c.qDim(), 0.0, 0.1, seed));
        out.add(vector(LlamaTensorNames.attn(i, "k_proj", "bias"), dt, c.kvDim(), 0.0, 0.1, seed));
        out.add(vector(LlamaTensorNames.attn(i, "v_proj", "bias"), dt, c.kvDim(), 0.0, 0.1, seed));
      }
      if (fam.qkNorm()) {
        out.add(vector(LlamaTensorNames.qkNorm(i, "q_norm"), dt, c.headDim(), norm, 0.2, seed));
        out.add(vector(LlamaTensorNames.qkNorm(i, "k_norm"), dt, c.headDim(), norm, 0.2, seed));
      }
      out.add(matrix(LlamaTensorNames.attn(i, "o_proj", "weight"), dt, h, c.qDim(), 1.0 / Math.sqrt(c.qDim()), seed));
      out.add(vector(LlamaTensorNames.postNorm(i), dt, h, norm, 0.2, seed));
      if (fam.sandwichNorms()) {
        out.add(vector(LlamaTensorNames.preFeedforwardNorm(i), dt, h, norm, 0.2, seed));
        out.add(vector(LlamaTensorNames.postFeedforwardNorm(i), dt, h, norm, 0.2, seed));
      }
      if (fam.fusedProjections()) {
        out.add(matrix(LlamaTensorNames.mlp(i, "gate_up_proj"), dt, 2 * m, h, 1.0 / Math.sqrt(h), seed));
      } else {
        out.add(matrix(LlamaTensorNames.mlp(i, "gate_proj"), dt, m, h, 1.0 / Math.sqrt(h), seed));
        out.add(matrix(LlamaTensorNames.mlp(i, "up_proj"), dt, m, h, 1.0 / Math.sqrt(h), seed));
      }
      out.add(matrix(LlamaTensorNames.mlp(i, "down_proj"), dt, h, m, 1.0 / Math.sqrt(m), seed));
    }
    out.add(vector(FINAL_NORM, dt, h, norm, 0.2, seed));
    if (!c.tieWordEmbeddings()) {
      out.add(matrix(LM_HEAD, dt, c.vocabSize(), h, 1.0 / Math.sqrt(h), seed));
    }
    return out;
  }

  private static PendingTensor matrix(String name, DType dt, int rows, int cols, double std, long seed) {
    double a = std * Math.sqrt(3.0);
    long key = mix(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
    return new PendingTensor(name, dt, new long[] {rows, cols}, uniform(key, 0.0, a));
  }

  private static PendingTensor vector(String name, DType dt, int n, double center, double a, long seed) {
    long key = mix(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
    return new PendingTensor(name, dt, new long[] {n}, uniform(key, center, a));
  }

  private static SafetensorsWriter.TensorData uniform(long key, double center, double a) {
    return (start, buf, len) -> {
      for (int i = 0; i < len; i++) {
        long r = mix(key + (start + i) * 0xBF58476D1CE4E5B9L);
        double u = (r >>> 11) * 0x1.0p-53; // [0,1)
        buf[i] = (float) (center + (2 * u - 1) * a);
      }
    };
  }

  private static long mix(long z) { // splitmix64 finalizer
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Calls {@code io.troupe.llm.tokenizer.SyntheticTokenizers.writeTo(dir, vocab)} when that class is on the
   * class path; the model core itself never depends on the tokenizer. Returns whether one was written.
   */
  static boolean writeTokenizer(Path dir, int vocabSize) throws IOException {
    try {
      Class<?> c = Class.forName("io.troupe.llm.tokenizer.SyntheticTokenizers");
      c.getMethod("writeTo", Path.class, int.class).invoke(null, dir, vocabSize);
      return true;
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
      return false;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException("synthetic tokenizer failed", e.getCause());
    }
  }

  private static Family familyOf(String modelType) {
    return Family.of(modelType.equals("gemma3") ? "gemma3_text" : modelType, List.of());
  }

  /**
   * {@code RandomModelWriter <out-dir> [--preset tiny|small|tinyllama-1.1b] [--dtype f32|f16|bf16]
   * [--seed N] [--shard-mb N] [--family llama|mistral|qwen2|qwen3|gemma2|gemma3_text|phi3]}.
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0 || args[0].startsWith("-")) {
      System.err.println("usage: RandomModelWriter <out-dir> [--preset tiny|small|tinyllama-1.1b]"
          + " [--dtype f32|f16|bf16] [--seed N] [--shard-mb N] [--family MODEL_TYPE]\n"
          + "Writes a random-weight Llama model; its output is noise (for tests, demos, benchmarks).");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Preset preset = Preset.TINY;
    DType dtype = null;
    long seed = 42;
    long shardBytes = 2L << 30;
    Family family = Family.LLAMA;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--preset" -> preset = Preset.parse(args[i + 1]);
        case "--dtype" -> dtype = DType.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        case "--family" -> family = familyOf(args[i + 1]);
        case "--shard-mb" -> shardBytes = Long.parseLong(args[i + 1]) << 20;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Spec spec = Spec.of(preset).withSeed(seed).withMaxShardBytes(shardBytes);
    if (family != Family.LLAMA) {
      spec = spec.withConfig(asFamily(spec.config(), family, 4096));
    }
    if (dtype != null) {
      spec = spec.withDType(dtype);
    }
    long bytes = write(spec, out);
    System.out.printf(Locale.ROOT, "wrote %s (%s, %d parameters, %.1f MB of %s weights) to %s; random weights, "
        + "output is noise%n", preset, spec.config().modelType(), spec.config().parameterCount(), bytes / 1e6,
        spec.dtype(), out);
  }
}
