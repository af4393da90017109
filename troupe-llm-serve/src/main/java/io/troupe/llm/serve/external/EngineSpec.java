package io.troupe.llm.serve.external;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which engine serves a model and, for an external one, how its processes are launched: the {@code engine},
 * {@code command}, {@code env}, {@code engine_args}, {@code launch}, {@code ready_path}, {@code ready_timeout_s},
 * {@code graceful_shutdown_timeout_s}, {@code data_parallel_size} and {@code enable_expert_parallel} keys of a model
 * entry. Validated when the config is applied: every message names the key and what to write instead.
 *
 * @param engine                   {@code builtin} (default: the Java engine in the replica), {@code process} (your
 *                                 {@code command}), or a preset: {@code vllm}, {@code sglang}, {@code llama_cpp}
 * @param command                  argv of {@code engine: process} (placeholders allowed); empty otherwise
 * @param env                      extra environment of every process (placeholders allowed)
 * @param engineArgs               extra argv appended after a preset's (or {@code command}'s) own
 * @param launch                   {@code per_node} (default: one process per node of the group, owning the GPUs of
 *                                 all its bundles there) or {@code per_rank} (one process per bundle)
 * @param readyPath                polled on the leader (node rank 0) until it answers 200 (default {@code /v1/models})
 * @param readyTimeoutS            how long a start may take before it counts as failed (default 900)
 * @param gracefulShutdownTimeoutS stopping waits this long after SIGTERM before SIGKILL (default 30)
 * @param dataParallelSize         data-parallel ranks of a preset (vLLM, SGLang; default 1): the group then has
 *                                 tp x pp x dp bundles
 * @param expertParallel           expert parallelism for MoE layers (vLLM {@code --enable-expert-parallel}, SGLang
 *                                 {@code --ep-size}); default false
 */
public record EngineSpec(String engine, List<String> command, Map<String, String> env, List<String> engineArgs,
    String launch, String readyPath, int readyTimeoutS, int gracefulShutdownTimeoutS, int dataParallelSize,
    boolean expertParallel) implements Serializable {

  public static final String BUILTIN = "builtin";
  public static final String PROCESS = "process";
  public static final Set<String> ENGINES = Set.of(BUILTIN, PROCESS, "vllm", "sglang", "llama_cpp");
  public static final String PER_NODE = "per_node";
  public static final String PER_RANK = "per_rank";

  /** Placeholders every process has. */
  public static final Set<String> NODE_PLACEHOLDERS = Set.of("port", "host", "node_rank", "nnodes", "master_addr",
      "master_port", "model_source", "model_id", "gpu_ids", "epoch");
  /** Placeholders only {@code launch: per_rank} processes have. */
  public static final Set<String> RANK_PLACEHOLDERS = Set.of("rank", "local_rank", "world_size");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

  public EngineSpec {
    engine = engine == null ? BUILTIN : engine;
    if (!ENGINES.contains(engine)) {
      throw new IllegalArgumentException("engine must be builtin, process, vllm, sglang or llama_cpp, got '" + engine
          + "'");
    }
    command = command == null ? List.of() : List.copyOf(command);
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    engineArgs = engineArgs == null ? List.of() : List.copyOf(engineArgs);
    launch = launch == null ? PER_NODE : launch;
    readyPath = readyPath == null ? "/v1/models" : readyPath;
    readyTimeoutS = readyTimeoutS <= 0 ? 900 : readyTimeoutS;
    gracefulShutdownTimeoutS = gracefulShutdownTimeoutS < 0 ? 30 : gracefulShutdownTimeoutS;
    dataParallelSize = dataParallelSize <= 0 ? 1 : dataParallelSize;
    if (!launch.equals(PER_NODE) && !launch.equals(PER_RANK)) {
      throw new IllegalArgumentException("launch must be per_node or per_rank, got '" + launch + "'");
    }
    if (!readyPath.startsWith("/")) {
      throw new IllegalArgumentException("ready_path must be a path starting with '/', e.g. /health, got '"
          + readyPath + "'");
    }
    boolean external = !engine.equals(BUILTIN);
    if (engine.equals(PROCESS) && command.isEmpty()) {
      throw new IllegalArgumentException("engine: process needs a command, e.g. command: [\"my-server\", \"--port\", "
          + "\"{port}\"]");
    }
    if (!engine.equals(PROCESS) && !command.isEmpty()) {
      throw new IllegalArgumentException("command is for engine: process only; with engine: " + engine
          + (external ? " the preset builds the command: pass extra flags in engine_args" : " write engine: process"));
    }
    if (!external && (!env.isEmpty() || !engineArgs.isEmpty() || launch.equals(PER_RANK) || dataParallelSize > 1
        || expertParallel)) {
      throw new IllegalArgumentException("env, engine_args, launch, data_parallel_size and enable_expert_parallel "
          + "apply to external engines only; set engine: process, vllm, sglang or llama_cpp");
    }
    if (!engine.equals(PROCESS) && external && launch.equals(PER_RANK)) {
      throw new IllegalArgumentException("launch: per_rank is for engine: process only; the " + engine
          + " preset starts one process per node");
    }
    if ((dataParallelSize > 1 || expertParallel) && !(engine.equals("vllm") || engine.equals("sglang"))) {
      throw new IllegalArgumentException("data_parallel_size and enable_expert_parallel are for engine: vllm or "
          + "sglang (engine: " + engine + " has no data/expert parallel mode; run more replicas instead)");
    }
    Set<String> allowed = new java.util.HashSet<>(NODE_PLACEHOLDERS);
    if (launch.equals(PER_RANK)) {
      allowed.addAll(RANK_PLACEHOLDERS);
    }
    check("command", command, allowed);
    check("engine_args", engineArgs, allowed);
    for (Map.Entry<String, String> e : env.entrySet()) {
      check("env." + e.getKey(), List.of(e.getValue()), allowed);
    }
  }

  /** The built-in engine. */
  public static EngineSpec builtin() {
    return new EngineSpec(BUILTIN, null, null, null, null, null, 0, -1, 1, false);
  }

  public boolean external() {
    return !engine.equals(BUILTIN);
  }

  /** Ranks (bundles) of the group: tp x pp x dp. */
  public int worldSize(int tp, int pp) {
    return tp * pp * dataParallelSize;
  }

  private static void check(String key, List<String> values, Set<String> allowed) {
    for (String v : values) {
      Matcher m = PLACEHOLDER.matcher(v);
      while (m.find()) {
        String name = m.group(1);
        if (!allowed.contains(name)) {
          throw new IllegalArgumentException(key + " uses the placeholder {" + name + "}, which does not exist"
              + (RANK_PLACEHOLDERS.contains(name) ? " with launch: per_node (it needs launch: per_rank)" : "")
              + "; known: " + new java.util.TreeSet<>(allowed));
        }
      }
    }
  }

  /** {@code s} with every {@code {name}} replaced by {@code values.get(name)}. */
  public static String substitute(String s, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Keys of a model entry this record reads. */
  public static final Set<String> KEYS = Set.of("engine", "command", "env", "engine_args", "launch", "ready_path",
      "ready_timeout_s", "graceful_shutdown_timeout_s", "data_parallel_size", "enable_expert_parallel");

  /** Parses the keys above from a model entry (others are ignored here). */
  public static EngineSpec fromMap(Map<String, ?> m) {
    return new EngineSpec(str(m, "engine"), strings(m, "command"), stringMap(m, "env"), strings(m, "engine_args"),
        str(m, "launch"), str(m, "ready_path"), integer(m, "ready_timeout_s", 0),
        integer(m, "graceful_shutdown_timeout_s", -1), integer(m, "data_parallel_size", 1),
        m.get("enable_expert_parallel") == null ? false : bool(m, "enable_expert_parallel"));
  }

  /** The keys above, for {@code LlmConfig.toMap} (only the ones that differ from the built-in engine's). */
  public void putInto(Map<String, Object> m) {
    if (!external()) {
      return;
    }
    m.put("engine", engine);
    if (!command.isEmpty()) {
      m.put("command", command);
    }
    if (!env.isEmpty()) {
      m.put("env", new LinkedHashMap<>(env));
    }
    if (!engineArgs.isEmpty()) {
      m.put("engine_args", engineArgs);
    }
    m.put("launch", launch);
    m.put("ready_path", readyPath);
    m.put("ready_timeout_s", readyTimeoutS);
    m.put("graceful_shutdown_timeout_s", gracefulShutdownTimeoutS);
    if (dataParallelSize > 1) {
      m.put("data_parallel_size", dataParallelSize);
    }
    if (expertParallel) {
      m.put("enable_expert_parallel", true);
    }
  }

  private static String str(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException(key + " must be a string, got " + v);
    }
    return (String) v;
  }

  private static boolean bool(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException(key + " must be true or false, got " + v);
    }
    return b;
  }

  private static int integer(Map<String, ?> m, String key, int dflt) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0) {
      throw new IllegalArgumentException(key + " must be a whole number >= 0, got " + v);
    }
    return n.intValue();
  }

  private static List<String> strings(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException(key + " must be a list of strings, e.g. [\"--max-model-len\", \"8192\"], got "
          + v);
    }
    List<String> out = new java.util.ArrayList<>();
    for (Object o : l) {
      if (o == null || o instanceof Map || o instanceof List) {
        throw new IllegalArgumentException(key + " must be a list of strings, got the element " + o);
      }
      out.add(String.valueOf(o)); // numbers and booleans as YAML wrote them
    }
    return out;
  }

  private static Map<String, String> stringMap(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(key + " must be a map of variable to value, e.g. {HF_HOME: /data/hf}, got "
          + v);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException(key + " has the variable name '" + name + "'; use letters, digits and _");
      }
      if (e.getValue() == null || e.getValue() instanceof Map || e.getValue() instanceof List) {
        throw new IllegalArgumentException(key + "." + name + " must be a string, got " + e.getValue());
      }
      out.put(name, String.valueOf(e.getValue()));
    }
    return out;
  }
}
