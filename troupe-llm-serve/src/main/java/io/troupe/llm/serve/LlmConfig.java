package io.troupe.llm.serve;

import io.troupe.llm.model.WeightType;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One served model. Travels to its {@link LlmServer} replica as a JSON-like constructor argument
 * ({@link #toMap()} / {@link #fromMap}), the same keys as in a config file's {@code args.models[]}.
 *
 * @param modelId                the name clients send as {@code model} (required)
 * @param modelSource            model folder (config.json, tokenizer.json, *.safetensors), readable at the
 *                               same path on every node that runs the server or one of its ranks (required)
 * @param tensorParallelSize     tensor-parallel ranks (default 1)
 * @param pipelineParallelSize   pipeline-parallel stages (default 1); tp x pp == 1 runs the model inside the
 *                               replica, otherwise one rank actor per bundle of the replica's placement group
 * @param maxNumSeqs             sequences in the engine's running batch (default 64)
 * @param kvCacheBytes           KV cache bytes per rank (default: {@code RankOptions.defaults()})
 * @param maxTokens              max_tokens when a request does not say (default 16, as OpenAI's completions)
 * @param numGpusPerRank         GPUs each rank's bundle reserves when tp x pp > 1 (default 0)
 * @param routing                how the ingress picks among the server's replicas: {@code prefix_aware} (default:
 *                               requests sharing a prompt prefix go to the replica that likely holds its KV
 *                               blocks, power of two choices when load is imbalanced) or {@code pow2}; sets the
 *                               server deployment's {@code request_router} (a config file's
 *                               {@code deployments[].request_router} overrides it)
 * @param dtype                  weight matrices as the engine holds them: {@code auto} (default: as the checkpoint
 *                               stores them, so BF16/F16 stay 16-bit), {@code float32}, {@code bfloat16},
 *                               {@code float16} or {@code int8} (quantized per row at load); the engine computes in
 *                               float32, widening per tile in its kernels
 * @param bundlePerRank          what each rank's bundle reserves (default {@code {CPU: 1, GPU: num_gpus_per_rank}});
 *                               bundle 0 gets one CPU more for the replica itself, never an extra GPU. With one rank
 *                               these are the replica's own resources
 * @param placementStrategy      how the ranks' bundles are laid out: {@code PACK} (default), {@code STRICT_PACK}
 *                               (one node, e.g. tensor parallel over NVLink), {@code SPREAD}, {@code STRICT_SPREAD}
 * @param engine                 which engine serves the model ({@code engine}, default {@code builtin}) and, for an
 *                               external one, how its processes are launched: see
 *                               {@link io.troupe.llm.serve.external.EngineSpec} and docs/external-engines.md
 * @param acceleratorType        when set (e.g. {@code H100}), every bundle only goes to nodes labelled
 *                               {@code accelerator_type=<it>} (GPU nodes get the label from nvidia-smi; declare it with
 *                               {@code troupe start --labels accelerator_type=H100} otherwise); null: any node
 */
public record LlmConfig(String modelId, String modelSource, int tensorParallelSize, int pipelineParallelSize,
    int maxNumSeqs, long kvCacheBytes, int maxTokens, double numGpusPerRank, String routing, String dtype,
    Map<String, Double> bundlePerRank, String placementStrategy, String acceleratorType,
    io.troupe.llm.serve.external.EngineSpec engine) implements Serializable {
  /** The default {@code routing}. */
  public static final String DEFAULT_ROUTING = "prefix_aware";
  /** kv_cache_bytes value meaning "the engine's default". */
  public static final long DEFAULT_KV_CACHE = -1;

  private static final Set<String> KEYS = Set.of("model_id", "model_source", "tensor_parallel_size",
      "pipeline_parallel_size", "max_num_seqs", "kv_cache_bytes", "max_tokens", "num_gpus_per_rank", "routing",
      "dtype", "bundle_per_rank", "placement_strategy", "accelerator_type");
  /** The accepted {@code dtype} values. */
  public static final Set<String> DTYPES = Set.of("auto", "float32", "bfloat16", "float16", "int8");
  /** The node label {@code accelerator_type} selects on. */
  public static final String ACCELERATOR_LABEL = "accelerator_type";

  public LlmConfig {
    engine = engine == null ? io.troupe.llm.serve.external.EngineSpec.builtin() : engine;
    Objects.requireNonNull(modelId, "model_id");
    Objects.requireNonNull(modelSource, "model_source");
    if (modelId.isBlank()) {
      throw new IllegalArgumentException("model_id must not be blank");
    }
    if (tensorParallelSize < 1 || pipelineParallelSize < 1 || maxNumSeqs < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("tensor_parallel_size, pipeline_parallel_size, max_num_seqs and max_tokens "
          + "must be at least 1");
    }
    if (numGpusPerRank < 0) {
      throw new IllegalArgumentException("num_gpus_per_rank must not be negative");
    }
    routing = routing == null ? DEFAULT_ROUTING : routing;
    dtype = dtype == null ? "auto" : dtype;
    if (!DTYPES.contains(dtype)) {
      WeightType.parse(dtype); // says why 4-bit is refused, or lists the values
      throw new IllegalArgumentException("dtype must be one of " + WeightType.names() + ", got '" + dtype + "'");
    }
    if (bundlePerRank == null) {
      Map<String, Double> d = new LinkedHashMap<>();
      d.put("CPU", 1.0);
      if (numGpusPerRank > 0) {
        d.put("GPU", numGpusPerRank);
      }
      bundlePerRank = d;
    } else {
      for (Map.Entry<String, Double> e : bundlePerRank.entrySet()) {
        if (e.getValue() == null || e.getValue() < 0 || e.getValue().isNaN() || e.getValue().isInfinite()) {
          throw new IllegalArgumentException("bundle_per_rank." + e.getKey() + " must be a number >= 0, got "
              + e.getValue());
        }
      }
      if (numGpusPerRank > 0 && !Double.valueOf(numGpusPerRank).equals(bundlePerRank.get("GPU"))) {
        throw new IllegalArgumentException("num_gpus_per_rank (" + numGpusPerRank + ") and bundle_per_rank.GPU ("
            + bundlePerRank.get("GPU") + ") disagree; give the GPUs in bundle_per_rank only");
      }
    }
    bundlePerRank = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bundlePerRank));
    numGpusPerRank = bundlePerRank.getOrDefault("GPU", 0.0);
    placementStrategy = placementStrategy == null ? "PACK" : placementStrategy.toUpperCase(java.util.Locale.ROOT);
    try {
      io.troupe.runtime.api.PlacementStrategy.valueOf(placementStrategy);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("placement_strategy must be PACK, STRICT_PACK, SPREAD or STRICT_SPREAD, got '"
          + placementStrategy + "'");
    }
    if (acceleratorType != null && acceleratorType.isBlank()) {
      throw new IllegalArgumentException("accelerator_type must not be blank (leave it out for any node)");
    }
    try {
      io.troupe.serve.api.RequestRouterConfig.Policy.parse(routing);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model option routing: " + e.getMessage(), e);
    }
  }

  /** A config with every default: tp = pp = 1, 64 sequences, default KV cache, max_tokens 16. */
  public static LlmConfig of(String modelId, String modelSource) {
    return new LlmConfig(modelId, modelSource, 1, 1, 64, DEFAULT_KV_CACHE, 16, 0, DEFAULT_ROUTING, null, null, null, null, null);
  }

  public LlmConfig withParallelism(int tp, int pp) {
    return new LlmConfig(modelId, modelSource, tp, pp, maxNumSeqs, kvCacheBytes, maxTokens, numGpusPerRank, routing,
        dtype, bundlePerRank, placementStrategy, acceleratorType, engine);
  }

  public LlmConfig withNumGpusPerRank(double g) {
    Map<String, Double> b = new LinkedHashMap<>(bundlePerRank);
    if (g > 0) {
      b.put("GPU", g);
    } else {
      b.remove("GPU");
    }
    return new LlmConfig(modelId, modelSource, tensorParallelSize, pipelineParallelSize, maxNumSeqs, kvCacheBytes,
        maxTokens, g, routing, dtype, b, placementStrategy, acceleratorType, engine);
  }

  /** This config with {@code routing} ({@code prefix_aware} or {@code pow2}). */
  public LlmConfig withRouting(String r) {
    return new LlmConfig(modelId, modelSource, tensorParallelSize, pipelineParallelSize, maxNumSeqs, kvCacheBytes,
        maxTokens, numGpusPerRank, r, dtype, bundlePerRank, placementStrategy, acceleratorType, engine);
  }

  /** This config served by {@code e} (an external engine, or the built-in one). */
  public LlmConfig withEngine(io.troupe.llm.serve.external.EngineSpec e) {
    return new LlmConfig(modelId, modelSource, tensorParallelSize, pipelineParallelSize, maxNumSeqs, kvCacheBytes,
        maxTokens, numGpusPerRank, routing, dtype, bundlePerRank, placementStrategy, acceleratorType, e);
  }

  /** The server deployment's {@code request_router} for {@link #routing}. */
  public io.troupe.serve.api.RequestRouterConfig requestRouter() {
    return io.troupe.serve.api.RequestRouterConfig.fromValue(routing);
  }

  /** Ranks, one bundle each: tp x pp (x data_parallel_size for an external engine). */
  public int worldSize() {
    return engine.worldSize(tensorParallelSize, pipelineParallelSize);
  }

  /** Parses the snake_case keys above; unknown keys are refused (a typo should not pass silently). */
  public static LlmConfig fromMap(Map<String, ?> m) {
    for (String k : m.keySet()) {
      if (!KEYS.contains(k) && !io.troupe.llm.serve.external.EngineSpec.KEYS.contains(k)) {
        java.util.TreeSet<String> known = new java.util.TreeSet<>(KEYS);
        known.addAll(io.troupe.llm.serve.external.EngineSpec.KEYS);
        throw new IllegalArgumentException("unknown model option '" + k + "'; known: " + known);
      }
    }
    io.troupe.llm.serve.external.EngineSpec engine = io.troupe.llm.serve.external.EngineSpec.fromMap(m);
    if (engine.external()) {
      for (String builtinOnly : List.of("dtype", "kv_cache_bytes", "max_tokens")) {
        if (m.containsKey(builtinOnly)) {
          throw new IllegalArgumentException(builtinOnly + " applies to the built-in engine only; with engine: "
              + engine.engine() + " pass the engine's own flag in engine_args (e.g. [\"--dtype\", \"bfloat16\"])");
        }
      }
    }
    Object id = m.get("model_id");
    Object src = m.get("model_source");
    if (id != null && src == null && engine.engine().equals(io.troupe.llm.serve.external.EngineSpec.PROCESS)) {
      src = id; // a process that finds its model itself
    }
    if (id == null || src == null) {
      throw new IllegalArgumentException("a model needs model_id and model_source, got " + m);
    }
    return new LlmConfig(id.toString(), src.toString(), intOf(m, "tensor_parallel_size", 1),
        intOf(m, "pipeline_parallel_size", 1), intOf(m, "max_num_seqs", 64),
        m.get("kv_cache_bytes") instanceof Number n ? n.longValue() : DEFAULT_KV_CACHE, intOf(m, "max_tokens", 16),
        m.get("num_gpus_per_rank") instanceof Number g ? g.doubleValue() : 0, routingOf(m), stringOf(m, "dtype"),
        bundleOf(m.get("bundle_per_rank")), stringOf(m, "placement_strategy"), stringOf(m, "accelerator_type"),
        engine);
  }

  private static String stringOf(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException(key + " must be a string, got " + v);
    }
    return (String) v;
  }

  private static Map<String, Double> bundleOf(Object v) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?> map) || map.isEmpty()) {
      throw new IllegalArgumentException("bundle_per_rank must be a map of resource name to amount, e.g. "
          + "{CPU: 2, GPU: 1}, got " + v);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof Number n)) {
        throw new IllegalArgumentException("bundle_per_rank." + e.getKey() + " must be a number, got " + e.getValue());
      }
      out.put(String.valueOf(e.getKey()), n.doubleValue());
    }
    return out;
  }

  private static String routingOf(Map<String, ?> m) {
    Object v = m.get("routing");
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException("routing must be prefix_aware or pow2, got " + v);
    }
    return (String) v;
  }

  private static int intOf(Map<String, ?> m, String key, int dflt) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(key + " must be a number, got " + v);
    }
    return n.intValue();
  }

  /** JSON-like form (what {@link io.troupe.serve.api.BoundDeployment} init args accept). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_id", modelId);
    m.put("model_source", modelSource);
    m.put("tensor_parallel_size", tensorParallelSize);
    m.put("pipeline_parallel_size", pipelineParallelSize);
    m.put("max_num_seqs", maxNumSeqs);
    m.put("kv_cache_bytes", kvCacheBytes);
    m.put("max_tokens", maxTokens);
    m.put("num_gpus_per_rank", numGpusPerRank);
    m.put("routing", routing);
    m.put("dtype", dtype);
    m.put("bundle_per_rank", new LinkedHashMap<>(bundlePerRank));
    m.put("placement_strategy", placementStrategy);
    if (acceleratorType != null) {
      m.put("accelerator_type", acceleratorType);
    }
    engine.putInto(m);
    if (engine.external()) {
      m.remove("dtype");
      m.remove("kv_cache_bytes");
      m.remove("max_tokens");
    }
    return m;
  }
}
