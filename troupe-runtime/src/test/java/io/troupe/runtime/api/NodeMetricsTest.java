package io.troupe.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-node registry: lookup by node id, the node tag, shared components, close. */
@Timeout(10)
class NodeMetricsTest {

  @Test
  void openRegistersByNodeIdAndCloseRemoves() {
    NodeId a = new NodeId("metrics-test-a");
    NodeId b = new NodeId("metrics-test-b");
    try (NodeMetrics ma = NodeMetrics.open(a); NodeMetrics mb = NodeMetrics.open(b)) {
      assertThat(NodeMetrics.of(a)).containsSame(ma);
      assertThat(NodeMetrics.of(b)).containsSame(mb);
      assertThat(ma.registry()).isNotSameAs(mb.registry());
      ma.registry().counter("troupe.test.things").increment(3);
      assertThat(ma.scrape()).contains("troupe_test_things_total{node=\"metrics-test-a\"} 3.0");
      assertThat(mb.scrape()).doesNotContain("troupe_test_things");
    }
    assertThat(NodeMetrics.of(a)).isEmpty();
    assertThat(NodeMetrics.of(b)).isEmpty();
  }

  @Test
  void reopeningANodeIdClosesThePriorRegistry() {
    NodeId id = new NodeId("metrics-test-reopen");
    NodeMetrics first = NodeMetrics.open(id);
    try (NodeMetrics second = NodeMetrics.open(id)) {
      assertThat(NodeMetrics.of(id)).containsSame(second);
      assertThat(first.registry().isClosed()).isTrue();
      first.close(); // closing the replaced one does not unregister the new one
      assertThat(NodeMetrics.of(id)).containsSame(second);
    }
  }

  @Test
  void componentIsCreatedOncePerNode() {
    NodeMetrics m = NodeMetrics.detached(new NodeId("metrics-test-detached"));
    AtomicInteger created = new AtomicInteger();
    StringBuilder one = m.component(StringBuilder.class, x -> {
      created.incrementAndGet();
      return new StringBuilder(x.nodeId().value());
    });
    StringBuilder two = m.component(StringBuilder.class, x -> new StringBuilder("other"));
    assertThat(two).isSameAs(one);
    assertThat(created).hasValue(1);
    assertThat(NodeMetrics.of(m.nodeId())).isEmpty();
    m.close();
  }
}
