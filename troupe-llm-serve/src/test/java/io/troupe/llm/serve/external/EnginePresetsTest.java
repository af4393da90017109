package io.troupe.llm.serve.external;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.llm.serve.external.GangLayout.BundleAt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The argv of every preset x topology (one node, leader + followers, DP + EP), built from a real layout. */
@Timeout(30)
class EnginePresetsTest {

  /** {@code nodes} nodes of {@code gpusPerNode} bundles each (one GPU per bundle), packed in bundle order. */
  static List<ProcessSlot> slots(EngineSpec spec, int nodes, int gpusPerNode) {
    List<BundleAt> bundles = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      for (int g = 0; g < gpusPerNode; g++) {
        bundles.add(new BundleAt(n * gpusPerNode + g, "node-" + n, "10.0.0." + (n + 1), List.of(Integer.toString(g))));
      }
    }
    var plan = GangLayout.plan(bundles, spec.launch());
    int[] ports = new int[plan.size()];
    for (int i = 0; i < ports.length; i++) {
      ports[i] = 8000 + i;
    }
    return GangLayout.slots(plan, ports, 29500, "/models/m", "m", 3, spec.engine().equals("llama_cpp"));
  }

  static EngineSpec preset(String engine, int dp, boolean ep, List<String> extra) {
    return new EngineSpec(engine, null, null, extra, null, null, 0, -1, dp, ep);
  }

  @Test
  void vllmOnOneNode() {
    List<ProcessSlot> s = slots(preset("vllm", 1, false, List.of("--max-model-len", "8192")), 1, 8);
    assertThat(s).hasSize(1);
    assertThat(EnginePresets.argv(preset("vllm", 1, false, List.of("--max-model-len", "8192")), 8, 1, s.get(0)))
        .containsExactly("vllm", "serve", "/models/m", "--served-model-name", "m", "--host", "10.0.0.1", "--port",
            "8000", "--tensor-parallel-size", "8", "--pipeline-parallel-size", "1", "--max-model-len", "8192");
    assertThat(s.get(0).environment()).containsEntry("CUDA_VISIBLE_DEVICES", "0,1,2,3,4,5,6,7")
        .containsEntry("TROUPE_NNODES", "1").containsEntry("TROUPE_EPOCH", "3");
  }

  @Test
  void vllmTpTimesPpOverTwoNodesIsALeaderAndAHeadlessFollower() {
    EngineSpec spec = preset("vllm", 1, false, List.of());
    List<ProcessSlot> s = slots(spec, 2, 8);
    assertThat(EnginePresets.argv(spec, 8, 2, s.get(0))).containsExactly("vllm", "serve", "/models/m",
        "--served-model-name", "m", "--host", "10.0.0.1", "--port", "8000", "--tensor-parallel-size", "8",
        "--pipeline-parallel-size", "2", "--distributed-executor-backend", "mp", "--nnodes", "2", "--node-rank", "0",
        "--master-addr", "10.0.0.1", "--master-port", "29500");
    assertThat(EnginePresets.argv(spec, 8, 2, s.get(1))).containsExactly("vllm", "serve", "/models/m",
        "--served-model-name", "m", "--host", "10.0.0.2", "--port", "8001", "--tensor-parallel-size", "8",
        "--pipeline-parallel-size", "2", "--distributed-executor-backend", "mp", "--nnodes", "2", "--node-rank", "1",
        "--master-addr", "10.0.0.1", "--master-port", "29500", "--headless");
    assertThat(s.get(1).environment()).containsEntry("CUDA_VISIBLE_DEVICES", "0,1,2,3,4,5,6,7")
        .containsEntry("TROUPE_NODE_RANK", "1").containsEntry("TROUPE_RANK", "8").containsEntry("MASTER_ADDR", "10.0.0.1");
  }

  @Test
  void vllmWideEpDataParallel16ExpertParallelOverTwoNodes() {
    EngineSpec spec = preset("vllm", 16, true, List.of());
    List<ProcessSlot> s = slots(spec, 2, 8);
    assertThat(EnginePresets.argv(spec, 1, 1, s.get(0))).containsExactly("vllm", "serve", "/models/m",
        "--served-model-name", "m", "--host", "10.0.0.1", "--port", "8000", "--tensor-parallel-size", "1",
        "--pipeline-parallel-size", "1", "--data-parallel-size", "16", "--data-parallel-size-local", "8",
        "--data-parallel-address", "10.0.0.1", "--data-parallel-rpc-port", "29500", "--enable-expert-parallel");
    assertThat(EnginePresets.argv(spec, 1, 1, s.get(1))).containsExactly("vllm", "serve", "/models/m",
        "--served-model-name", "m", "--host", "10.0.0.2", "--port", "8001", "--tensor-parallel-size", "1",
        "--pipeline-parallel-size", "1", "--data-parallel-size", "16", "--data-parallel-size-local", "8",
        "--data-parallel-address", "10.0.0.1", "--data-parallel-rpc-port", "29500", "--headless",
        "--data-parallel-start-rank", "8", "--enable-expert-parallel");
  }

  @Test
  void sglangOnOneNodeAndTp16OverTwoNodes() {
    EngineSpec spec = preset("sglang", 1, false, List.of());
    assertThat(EnginePresets.argv(spec, 8, 1, slots(spec, 1, 8).get(0))).containsExactly("python3", "-m",
        "sglang.launch_server", "--model-path", "/models/m", "--served-model-name", "m", "--host", "10.0.0.1", "--port",
        "8000", "--tp-size", "8", "--pp-size", "1");
    List<ProcessSlot> s = slots(spec, 2, 8);
    assertThat(EnginePresets.argv(spec, 16, 1, s.get(1))).containsExactly("python3", "-m", "sglang.launch_server",
        "--model-path", "/models/m", "--served-model-name", "m", "--host", "10.0.0.2", "--port", "8001", "--tp-size",
        "16", "--pp-size", "1", "--nnodes", "2", "--node-rank", "1", "--dist-init-addr", "10.0.0.1:29500");
  }

  @Test
  void sglangDpAttentionWithExpertParallel() {
    EngineSpec spec = preset("sglang", 16, true, List.of());
    List<ProcessSlot> s = slots(spec, 2, 8);
    assertThat(EnginePresets.argv(spec, 1, 1, s.get(0))).containsExactly("python3", "-m", "sglang.launch_server",
        "--model-path", "/models/m", "--served-model-name", "m", "--host", "10.0.0.1", "--port", "8000", "--tp-size",
        "16", "--pp-size", "1", "--nnodes", "2", "--node-rank", "0", "--dist-init-addr", "10.0.0.1:29500",
        "--dp-size", "16", "--enable-dp-attention", "--ep-size", "16");
  }

  @Test
  void llamaCppLeaderUsesTheFollowersRpcServers() {
    EngineSpec spec = preset("llama_cpp", 1, false, List.of("-c", "4096"));
    List<ProcessSlot> s = slots(spec, 3, 1);
    assertThat(EnginePresets.argv(spec, 1, 3, s.get(0))).containsExactly("llama-server", "-m", "/models/m", "--alias",
        "m", "--host", "10.0.0.1", "--port", "8000", "--n-gpu-layers", "999", "--rpc", "10.0.0.2:8001,10.0.0.3:8002",
        "-c", "4096");
    assertThat(EnginePresets.argv(spec, 1, 3, s.get(2))).containsExactly("rpc-server", "--host", "10.0.0.3", "--port",
        "8002", "-c", "4096");
    // One node: no --rpc.
    assertThat(EnginePresets.argv(spec, 1, 1, slots(spec, 1, 1).get(0))).doesNotContain("--rpc");
  }

  @Test
  void processCommandPerRankGetsEveryPlaceholderAndEnvironment() {
    EngineSpec spec = new EngineSpec("process", List.of("srv", "--port", "{port}", "--rank", "{rank}", "--of",
        "{world_size}", "--local", "{local_rank}", "--node", "{node_rank}/{nnodes}", "--master",
        "{master_addr}:{master_port}", "--gpus", "{gpu_ids}", "--e", "{epoch}", "{model_id}@{model_source}"),
        Map.of("WHERE", "{host}:{port}"), List.of("--x"), "per_rank", null, 0, -1, 1, false);
    List<ProcessSlot> s = slots(spec, 2, 2);
    assertThat(s).hasSize(4);
    assertThat(EnginePresets.argv(spec, 2, 2, s.get(3))).containsExactly("srv", "--port", "8003", "--rank", "3",
        "--of", "4", "--local", "1", "--node", "1/2", "--master", "10.0.0.1:29500", "--gpus", "1", "--e", "3",
        "m@/models/m", "--x");
    assertThat(EnginePresets.environment(spec, s.get(3))).containsEntry("WHERE", "10.0.0.2:8003")
        .containsEntry("CUDA_VISIBLE_DEVICES", "1").containsEntry("TROUPE_LOCAL_RANK", "1")
        .containsEntry("TROUPE_WORLD_SIZE", "4").containsEntry("TROUPE_PORT", "8003").containsEntry("MASTER_PORT", "29500");
  }

  @Test
  void interleavedBundlesStillNumberNodesFromTheLeader() {
    // STRICT_SPREAD-like: bundles alternate between two nodes.
    List<BundleAt> b = List.of(new BundleAt(0, "a", "h-a", List.of("0")), new BundleAt(1, "b", "h-b", List.of("0")),
        new BundleAt(2, "a", "h-a", List.of("1")), new BundleAt(3, "b", "h-b", List.of("1")));
    var plan = GangLayout.plan(b, EngineSpec.PER_NODE);
    var slots = GangLayout.slots(plan, new int[] {1, 2}, 9, "s", "m", 0, false);
    assertThat(slots.get(0).gpuIds()).containsExactly("0", "1");
    assertThat(slots.get(1).firstRankHere()).isEqualTo(2);
    assertThat(slots.get(1).nodeRank()).isEqualTo(1);
  }
}
