package io.troupe.llm.serve.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.llm.serve.LlmConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The external-engine keys of a model entry: parsing, round trip, and refusals that name the key and the fix. */
@Timeout(30)
class EngineConfigTest {

  static Map<String, Object> entry(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_id", "big");
    m.put("model_source", "/models/x");
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void theIssuesExampleParsesAndRoundTrips() {
    LlmConfig c = LlmConfig.fromMap(entry("engine", "process", "command", List.of("my-server", "--port", "{port}",
        "--rank", "{node_rank}"), "env", Map.of("HF_HOME", "/data/hf"), "engine_args", List.of("--max-model-len", 8192),
        "launch", "per_node", "tensor_parallel_size", 8, "pipeline_parallel_size", 2, "num_gpus_per_rank", 1,
        "placement_strategy", "PACK", "ready_path", "/health", "ready_timeout_s", 900));
    EngineSpec e = c.engine();
    assertThat(e.engine()).isEqualTo("process");
    assertThat(e.engineArgs()).containsExactly("--max-model-len", "8192");
    assertThat(e.readyPath()).isEqualTo("/health");
    assertThat(c.worldSize()).isEqualTo(16);
    assertThat(LlmConfig.fromMap(c.toMap())).isEqualTo(c);
  }

  @Test
  void presetsDefaultToPerNodeAndV1Models() {
    LlmConfig c = LlmConfig.fromMap(entry("engine", "vllm", "tensor_parallel_size", 8, "data_parallel_size", 2,
        "enable_expert_parallel", true));
    assertThat(c.engine().launch()).isEqualTo("per_node");
    assertThat(c.engine().readyPath()).isEqualTo("/v1/models");
    assertThat(c.worldSize()).isEqualTo(16);
    assertThat(LlmConfig.fromMap(c.toMap())).isEqualTo(c);
  }

  @Test
  void refusalsNameTheKeyAndTheFix() {
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "tgi")))
        .hasMessageContaining("engine must be builtin, process, vllm, sglang or llama_cpp");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "vllm", "command", List.of("x"))))
        .hasMessageContaining("command is for engine: process only").hasMessageContaining("engine_args");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "process")))
        .hasMessageContaining("engine: process needs a command");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "process", "command", List.of("s", "{prot}"))))
        .hasMessageContaining("command uses the placeholder {prot}, which does not exist");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "process", "command", List.of("s", "{rank}"))))
        .hasMessageContaining("it needs launch: per_rank");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "process", "command", List.of("s"),
        "env", Map.of("X", "{nope}")))).hasMessageContaining("env.X uses the placeholder {nope}");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine_args", List.of("--x"))))
        .hasMessageContaining("apply to external engines only");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "llama_cpp", "data_parallel_size", 2)))
        .hasMessageContaining("data_parallel_size and enable_expert_parallel are for engine: vllm or sglang");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "vllm", "launch", "per_rank")))
        .hasMessageContaining("launch: per_rank is for engine: process only");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "vllm", "dtype", "bfloat16")))
        .hasMessageContaining("dtype applies to the built-in engine only").hasMessageContaining("engine_args");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "vllm", "ready_path", "health")))
        .hasMessageContaining("ready_path must be a path starting with '/'");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "vllm", "ready_timeout_s", "soon")))
        .hasMessageContaining("ready_timeout_s must be a whole number");
    assertThatThrownBy(() -> LlmConfig.fromMap(entry("engine", "vllm", "engine_arg", List.of())))
        .hasMessageContaining("unknown model option 'engine_arg'").hasMessageContaining("engine_args");
  }

  @Test
  void aProcessEngineMayLeaveOutModelSource() {
    Map<String, Object> m = new LinkedHashMap<>(Map.of("model_id", "m", "engine", "process", "command",
        List.of("srv", "{model_source}")));
    assertThat(LlmConfig.fromMap(m).modelSource()).isEqualTo("m");
  }
}
