package io.troupe.llm.serve.external;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The argv of each process of an external engine: pure functions of the model's {@link EngineSpec}, its parallelism
 * and the process's {@link ProcessSlot}. Never Ray inside the engine: each preset uses the engine's own
 * multiprocessing/rendezvous backend, pointed at the addresses Troupe hands it (see docs/external-engines.md for the
 * flags and where each project documents them).
 *
 * <ul>
 *   <li>{@code vllm}: {@code vllm serve SRC --served-model-name ID --host H --port P --tensor-parallel-size TP
 *       --pipeline-parallel-size PP}; over several nodes (dp = 1) {@code --distributed-executor-backend mp --nnodes N
 *       --node-rank R --master-addr A --master-port M}, followers {@code --headless}; with dp &gt; 1
 *       {@code --data-parallel-size DP --data-parallel-size-local L --data-parallel-address A
 *       --data-parallel-rpc-port M}, followers {@code --headless --data-parallel-start-rank S};
 *       {@code --enable-expert-parallel} for EP.</li>
 *   <li>{@code sglang}: {@code python3 -m sglang.launch_server --model-path SRC --served-model-name ID --host H
 *       --port P --tp-size TPxDP --pp-size PP}; over several nodes {@code --nnodes N --node-rank R --dist-init-addr A:M};
 *       dp &gt; 1: {@code --dp-size DP --enable-dp-attention}; EP: {@code --ep-size TPxDP}.</li>
 *   <li>{@code llama_cpp}: followers {@code rpc-server --host H --port P}; the leader {@code llama-server -m SRC
 *       --alias ID --host H --port P --n-gpu-layers 999} and, with followers, {@code --rpc h1:p1,h2:p2}.</li>
 *   <li>{@code process}: the {@code command}, placeholders substituted.</li>
 * </ul>
 * {@code engine_args} are appended (placeholders substituted) in every case.
 */
public final class EnginePresets {
  private EnginePresets() {}

  /** The argv of the process in {@code slot}. */
  public static List<String> argv(EngineSpec spec, int tp, int pp, ProcessSlot slot) {
    Map<String, String> values = slot.placeholders();
    List<String> out = new ArrayList<>(switch (spec.engine()) {
      case "vllm" -> vllm(spec, tp, pp, slot);
      case "sglang" -> sglang(spec, tp, pp, slot);
      case "llama_cpp" -> llamaCpp(slot);
      case EngineSpec.PROCESS -> spec.command().stream().map(a -> EngineSpec.substitute(a, values)).toList();
      default -> throw new IllegalArgumentException("engine " + spec.engine() + " runs no process");
    });
    for (String a : spec.engineArgs()) {
      out.add(EngineSpec.substitute(a, values));
    }
    return out;
  }

  /** The environment of the process in {@code slot}: Troupe's variables, then the user's {@code env}. */
  public static Map<String, String> environment(EngineSpec spec, ProcessSlot slot) {
    Map<String, String> env = new java.util.LinkedHashMap<>(slot.environment());
    Map<String, String> values = slot.placeholders();
    spec.env().forEach((k, v) -> env.put(k, EngineSpec.substitute(v, values)));
    return env;
  }

  private static List<String> vllm(EngineSpec spec, int tp, int pp, ProcessSlot s) {
    List<String> a = new ArrayList<>(List.of("vllm", "serve", s.modelSource(), "--served-model-name", s.modelId(),
        "--host", s.host(), "--port", Integer.toString(s.port()), "--tensor-parallel-size", Integer.toString(tp),
        "--pipeline-parallel-size", Integer.toString(pp)));
    int dp = spec.dataParallelSize();
    if (dp > 1) {
      int perDpRank = tp * pp;
      a.addAll(List.of("--data-parallel-size", Integer.toString(dp), "--data-parallel-size-local",
          Integer.toString(s.ranksHere() / perDpRank), "--data-parallel-address", s.masterAddr(),
          "--data-parallel-rpc-port", Integer.toString(s.masterPort())));
      if (s.nodeRank() > 0) {
        a.addAll(List.of("--headless", "--data-parallel-start-rank", Integer.toString(s.firstRankHere() / perDpRank)));
      }
    } else if (s.nnodes() > 1) {
      a.addAll(List.of("--distributed-executor-backend", "mp", "--nnodes", Integer.toString(s.nnodes()),
          "--node-rank", Integer.toString(s.nodeRank()), "--master-addr", s.masterAddr(), "--master-port",
          Integer.toString(s.masterPort())));
      if (s.nodeRank() > 0) {
        a.add("--headless");
      }
    }
    if (spec.expertParallel()) {
      a.add("--enable-expert-parallel");
    }
    return a;
  }

  private static List<String> sglang(EngineSpec spec, int tp, int pp, ProcessSlot s) {
    int dp = spec.dataParallelSize();
    List<String> a = new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", s.modelSource(),
        "--served-model-name", s.modelId(), "--host", s.host(), "--port", Integer.toString(s.port()), "--tp-size",
        Integer.toString(tp * dp), "--pp-size", Integer.toString(pp)));
    if (s.nnodes() > 1) {
      a.addAll(List.of("--nnodes", Integer.toString(s.nnodes()), "--node-rank", Integer.toString(s.nodeRank()),
          "--dist-init-addr", s.masterAddr() + ":" + s.masterPort()));
    }
    if (dp > 1) {
      a.addAll(List.of("--dp-size", Integer.toString(dp), "--enable-dp-attention"));
    }
    if (spec.expertParallel()) {
      a.addAll(List.of("--ep-size", Integer.toString(tp * dp)));
    }
    return a;
  }

  private static List<String> llamaCpp(ProcessSlot s) {
    if (s.nodeRank() > 0) {
      return List.of("rpc-server", "--host", s.host(), "--port", Integer.toString(s.port()));
    }
    List<String> a = new ArrayList<>(List.of("llama-server", "-m", s.modelSource(), "--alias", s.modelId(), "--host",
        s.host(), "--port", Integer.toString(s.port()), "--n-gpu-layers", "999"));
    if (!s.followers().isEmpty()) {
      a.addAll(List.of("--rpc", String.join(",", s.followers())));
    }
    return a;
  }
}
