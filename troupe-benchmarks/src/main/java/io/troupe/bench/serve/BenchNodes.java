package io.troupe.bench.serve;

import io.troupe.runtime.api.ActorContext;

/** The node id of the replica running the calling code ("?" outside a replica). */
final class BenchNodes {
  private BenchNodes() {
  }

  static String current() {
    return ActorContext.current().map(c -> c.nodeId().value()).orElse("?");
  }
}
