package io.troupe.llm.serve.external;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one process of a gang is told: where it runs in the topology and the addresses it needs. The
 * placeholder values and the {@code TROUPE_*} / {@code MASTER_*} environment are derived from it. Pure data.
 *
 * @param nodeRank    index of this process's node in the group (the leader's node is 0)
 * @param nnodes      nodes of the group
 * @param rank        per_rank: the bundle index; per_node: the first rank on this node ({@code nodeRank}'s first bundle)
 * @param localRank   per_rank: index among the ranks on this node; per_node: 0
 * @param worldSize   ranks (bundles) of the group
 * @param ranksHere   ranks (bundles) on this node; per_rank: 1
 * @param firstRankHere the lowest rank on this node
 * @param host        this node's address (the process binds here)
 * @param port        this process's HTTP (or RPC) port, free on its node
 * @param masterAddr  the leader node's address
 * @param masterPort  a free port on the leader's node for the rendezvous
 * @param modelSource the model path or name
 * @param modelId     the served model name
 * @param gpuIds      GPU ids of this process's bundles (CUDA_VISIBLE_DEVICES)
 * @param epoch       the group's epoch
 * @param followers   llama_cpp leader only: {@code host:port} of each follower's rpc-server, in node order
 */
public record ProcessSlot(int nodeRank, int nnodes, int rank, int localRank, int worldSize, int ranksHere,
    int firstRankHere, String host, int port, String masterAddr, int masterPort, String modelSource, String modelId,
    List<String> gpuIds, long epoch, List<String> followers) {

  public ProcessSlot {
    gpuIds = List.copyOf(gpuIds);
    followers = followers == null ? List.of() : List.copyOf(followers);
  }

  public boolean leader() {
    return nodeRank == 0 && localRank == 0;
  }

  /** Placeholder values ({@code {port}} etc.). */
  public Map<String, String> placeholders() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("port", Integer.toString(port));
    m.put("host", host);
    m.put("node_rank", Integer.toString(nodeRank));
    m.put("nnodes", Integer.toString(nnodes));
    m.put("master_addr", masterAddr);
    m.put("master_port", Integer.toString(masterPort));
    m.put("model_source", modelSource);
    m.put("model_id", modelId);
    m.put("gpu_ids", String.join(",", gpuIds));
    m.put("epoch", Long.toString(epoch));
    m.put("rank", Integer.toString(rank));
    m.put("local_rank", Integer.toString(localRank));
    m.put("world_size", Integer.toString(worldSize));
    return m;
  }

  /** The environment every process gets (before the user's {@code env}). */
  public Map<String, String> environment() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("CUDA_VISIBLE_DEVICES", String.join(",", gpuIds));
    m.put("TROUPE_RANK", Integer.toString(rank));
    m.put("TROUPE_WORLD_SIZE", Integer.toString(worldSize));
    m.put("TROUPE_LOCAL_RANK", Integer.toString(localRank));
    m.put("TROUPE_NODE_RANK", Integer.toString(nodeRank));
    m.put("TROUPE_NNODES", Integer.toString(nnodes));
    m.put("MASTER_ADDR", masterAddr);
    m.put("MASTER_PORT", Integer.toString(masterPort));
    m.put("TROUPE_PORT", Integer.toString(port));
    m.put("TROUPE_EPOCH", Long.toString(epoch));
    return m;
  }
}
