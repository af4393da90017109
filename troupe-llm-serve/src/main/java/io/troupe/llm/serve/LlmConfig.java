package io.troupe.llm.serve;

import java.io.Serializable;
import java.util.LinkedHashMap;
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
 */
public record LlmConfig(String modelId, String modelSource, int tensorParallelSize, int pipelineParallelSize,
    int maxNumSeqs, long kvCacheBytes, int maxTokens, double numGpusPerRank, String routing) implements Serializable {
  /** The default {@code routing}. */
  public static final String DEFAULT_ROUTING = "prefix_aware";
  /** kv_cache_bytes value meaning "the engine's default". */
  public static final long DEFAULT_KV_CACHE = -1;

  private static final Set<String> KEYS = Set.of("model_id", "model_source", "tensor_parallel_size",
      "pipeline_parallel_size", "max_num_seqs", "kv_cache_bytes", "max_tokens", "num_gpus_per_rank", "routing");

  public LlmConfig {
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
    try {
      io.troupe.serve.api.RequestRouterConfig.Policy.parse(routing);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model option routing: " + e.getMessage(), e);
    }
  }

  /** A config with every default: tp = pp = 1, 64 sequences, default KV cache, max_tokens 16. */
  public static LlmConfig of(String modelId, String modelSource) {
    return new LlmConfig(modelId, modelSource, 1, 1, 64, DEFAULT_KV_CACHE, 16, 0, DEFAULT_ROUTING);
  }

  public LlmConfig withParallelism(int tp, int pp) {
    return new LlmConfig(modelId, modelSource, tp, pp, maxNumSeqs, kvCacheBytes, maxTokens, numGpusPerRank, routing);
  }

  public LlmConfig withNumGpusPerRank(double g) {
    return new LlmConfig(modelId, modelSource, tensorParallelSize, pipelineParallelSize, maxNumSeqs, kvCacheBytes,
        maxTokens, g, routing);
  }

  /** This config with {@code routing} ({@code prefix_aware} or {@code pow2}). */
  public LlmConfig withRouting(String r) {
    return new LlmConfig(modelId, modelSource, tensorParallelSize, pipelineParallelSize, maxNumSeqs, kvCacheBytes,
        maxTokens, numGpusPerRank, r);
  }

  /** The server deployment's {@code request_router} for {@link #routing}. */
  public io.troupe.serve.api.RequestRouterConfig requestRouter() {
    return io.troupe.serve.api.RequestRouterConfig.fromValue(routing);
  }

  public int worldSize() {
    return tensorParallelSize * pipelineParallelSize;
  }

  /** Parses the snake_case keys above; unknown keys are refused (a typo should not pass silently). */
  public static LlmConfig fromMap(Map<String, ?> m) {
    for (String k : m.keySet()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown model option '" + k + "'; known: " + KEYS);
      }
    }
    Object id = m.get("model_id");
    Object src = m.get("model_source");
    if (id == null || src == null) {
      throw new IllegalArgumentException("a model needs model_id and model_source, got " + m);
    }
    return new LlmConfig(id.toString(), src.toString(), intOf(m, "tensor_parallel_size", 1),
        intOf(m, "pipeline_parallel_size", 1), intOf(m, "max_num_seqs", 64),
        m.get("kv_cache_bytes") instanceof Number n ? n.longValue() : DEFAULT_KV_CACHE, intOf(m, "max_tokens", 16),
        m.get("num_gpus_per_rank") instanceof Number g ? g.doubleValue() : 0, routingOf(m));
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
    return m;
  }
}
