package io.troupe.runtime.spi;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;

/**
 * Starts nodes for {@link TroupeNode#start}: the runtime's implementation is found with
 * {@link java.util.ServiceLoader}, so the public API does not depend on the classes that implement it.
 */
public interface NodeFactory {
  /** Starts a node; see {@link TroupeNode#start} for the contract. */
  TroupeNode start(NodeConfig config);
}
