package io.troupe.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-node registry: registries of two nodes stay apart, the node tag, shared components, close. */
@Timeout(10)
class NodeMetricsTest {

  @Test
  void registriesOfTwoNodesStayApartAndCarryTheNodeTag() {
    try (NodeMetrics ma = NodeMetrics.create(new NodeId("metrics-test-a"));
        NodeMetrics mb = NodeMetrics.create(new NodeId("metrics-test-b"))) {
      assertThat(ma.registry()).isNotSameAs(mb.registry());
      ma.registry().counter("troupe.test.things").increment(3);
      assertThat(ma.scrape()).contains("troupe_test_things_total{node=\"metrics-test-a\"} 3.0");
      assertThat(mb.scrape()).doesNotContain("troupe_test_things");
      ma.close();
      assertThat(ma.registry().isClosed()).isTrue();
      assertThat(mb.registry().isClosed()).isFalse();
    }
  }

  @Test
  void currentIsEmptyOutsideActors() {
    assertThat(NodeMetrics.current()).isEmpty();
  }

  @Test
  void componentIsCreatedOncePerNode() {
    NodeMetrics m = NodeMetrics.create(new NodeId("metrics-test-component"));
    AtomicInteger created = new AtomicInteger();
    StringBuilder one = m.component(StringBuilder.class, x -> {
      created.incrementAndGet();
      return new StringBuilder(x.nodeId().value());
    });
    StringBuilder two = m.component(StringBuilder.class, x -> new StringBuilder("other"));
    assertThat(two).isSameAs(one);
    assertThat(created).hasValue(1);
    m.close();
  }
}
