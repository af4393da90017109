package io.troupe.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-node services: one instance per type, closed newest first with the node, gone afterwards. */
@Timeout(10)
class NodeServicesTest {
  private final List<String> closed = new ArrayList<>();

  final class First implements AutoCloseable {
    @Override
    public void close() {
      closed.add("first");
    }
  }

  final class Second implements AutoCloseable {
    @Override
    public void close() {
      closed.add("second");
      throw new IllegalStateException("a failing close does not stop the others");
    }
  }

  @Test
  void eachTypeIsCreatedOnceAndClosedNewestFirst() {
    NodeServices s = new NodeServices();
    AtomicInteger created = new AtomicInteger();
    First a = s.get(First.class, () -> {
      created.incrementAndGet();
      return new First();
    });
    assertThat(s.get(First.class, First::new)).isSameAs(a);
    assertThat(created).hasValue(1);
    assertThat(s.find(Second.class)).isEmpty();
    s.get(Second.class, Second::new);
    s.get(String.class, () -> "not closeable");

    s.close();

    assertThat(closed).containsExactly("second", "first");
    assertThat(s.find(First.class)).isEmpty();
    assertThatThrownBy(() -> s.get(First.class, First::new)).isInstanceOf(TroupeException.class)
        .hasMessageContaining("the node has closed");
    s.close(); // idempotent
    assertThat(closed).hasSize(2);
  }
}
