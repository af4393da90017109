package io.troupe.runtime.placement;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.resources.Allocation;
import io.troupe.runtime.resources.ResourceLedger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link BundleAgentClient} over in-process {@link NodeBundleTable}s that answers at once: for
 * simulations (the scheduler benchmark) and tests. A node that is not (or no longer) registered
 * answers with a failed stage, like an unreachable agent. Not thread-safe: one thread.
 */
public class InMemoryBundleAgents implements BundleAgentClient {
  private final Map<NodeId, NodeBundleTable> tables = new TreeMap<>();

  /** Starts a node agent with whole GPUs named "0".."n-1". */
  public NodeBundleTable addNode(NodeId node, ResourceSet total) {
    int gpus = (int) total.get(ResourceSet.GPU);
    List<String> ids = java.util.stream.IntStream.range(0, gpus).mapToObj(Integer::toString).toList();
    NodeBundleTable t = new NodeBundleTable(new ResourceLedger(total, ids));
    tables.put(node, t);
    return t;
  }

  /** The node's agent is gone (with everything it held). */
  public void removeNode(NodeId node) {
    tables.remove(node);
  }

  public Map<NodeId, NodeBundleTable> tables() {
    return tables;
  }

  private CompletionStage<BundleReply> unreachable(NodeId node) {
    return CompletableFuture.failedFuture(new IllegalStateException("node " + node + " is unreachable"));
  }

  @Override
  public CompletionStage<BundleReply> prepare(NodeId node, BundleReservation r) {
    NodeBundleTable t = tables.get(node);
    return t == null ? unreachable(node) : CompletableFuture.completedFuture(t.prepare(r));
  }

  @Override
  public CompletionStage<BundleReply> commit(NodeId node, BundleReservation r) {
    NodeBundleTable t = tables.get(node);
    return t == null ? unreachable(node) : CompletableFuture.completedFuture(t.commit(r));
  }

  @Override
  public CompletionStage<BundleReply> cancel(NodeId node, BundleReservation r) {
    NodeBundleTable t = tables.get(node);
    if (t == null) {
      return unreachable(node);
    }
    t.cancel(r);
    return CompletableFuture.completedFuture(new BundleReply.Ok(Allocation.NONE));
  }
}
