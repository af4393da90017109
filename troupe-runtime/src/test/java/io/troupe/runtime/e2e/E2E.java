package io.troupe.runtime.e2e;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.testkit.Poll;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Small helpers shared by the multi-process tests: polling with a deadline, a driver node. */
final class E2E {
  private E2E() {}

  /** Polls {@code get} every 50 ms until {@code ok} holds; fails with the last value after {@code seconds}. */
  static <T> T poll(Supplier<T> get, Predicate<T> ok, int seconds) {
    return Poll.upTo(Duration.ofSeconds(seconds)).await("condition", get, ok);
  }

  /** This test JVM as a resource-less driver node of the cluster whose head is at {@code head}. */
  static TroupeNode driver(ProcessCluster.Node head, Duration failureDetection) {
    return TroupeNode.start(NodeConfig.builder().headAddress(head.address()).numCpus(0.0).numGpus(0)
        .memoryBytes(0L).failureDetection(failureDetection).build());
  }
}
