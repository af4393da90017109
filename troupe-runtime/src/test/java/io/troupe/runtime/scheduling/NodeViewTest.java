package io.troupe.runtime.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NodeViewTest {
  @Test
  void utilisationIsTheHighestUsedShareAfterPlacing() {
    NodeView n = new NodeView(NodeId.of("a"), true, Map.of(), ResourceSet.of("CPU", 8, "GPU", 2),
        ResourceSet.of("CPU", 6, "GPU", 2));
    assertThat(n.utilisationAfter(ResourceSet.EMPTY)).isCloseTo(0.25, within(1e-9));
    assertThat(n.utilisationAfter(ResourceSet.of("CPU", 2))).isCloseTo(0.5, within(1e-9));
    assertThat(n.utilisationAfter(ResourceSet.of("GPU", 1.5))).isCloseTo(0.75, within(1e-9));
    // Resources the node does not have do not count.
    assertThat(n.utilisationAfter(ResourceSet.of("TPU", 1))).isCloseTo(0.25, within(1e-9));
    assertThat(n.withAvailable(n.total()).utilisationAfter(ResourceSet.EMPTY)).isZero();
  }
}
