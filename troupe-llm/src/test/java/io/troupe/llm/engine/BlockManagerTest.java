package io.troupe.llm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BlockManagerTest {
  @Test
  void sharesCachedPrefixBlocksAndEvictsLeastRecentlyFreed() {
    BlockManager m = new BlockManager(4, 2, true);
    int[] a = {1, 2, 3, 4, 5};
    int b0 = m.allocate();
    int b1 = m.allocate();
    long h0 = m.commitFull(b0, 0, a, 0);
    m.commitFull(b1, h0, a, 2);
    assertThat(m.matchPrefix(a, 4)).containsExactly(b0, b1);
    assertThat(m.referencedBlocks()).isEqualTo(2);
    // a different second block only shares the first
    assertThat(m.matchPrefix(new int[] {1, 2, 9, 9, 9}, 4)).containsExactly(b0);
    for (int i = 0; i < 2; i++) {
      m.release(b0);
    }
    m.release(b0);
    m.release(b1);
    m.release(b1);
    assertThat(m.usage()).isZero();
    assertThat(m.availableBlocks()).isEqualTo(4);
    // two never-cached blocks go first, then the LRU cached block (b0 was freed before b1)
    m.allocate();
    m.allocate();
    assertThat(m.allocate()).isEqualTo(b0);
    assertThat(m.matchPrefix(a, 4)).isEmpty(); // chain broken: b0 evicted
    assertThat(m.allocate()).isEqualTo(b1);
    assertThat(m.allocate()).isEqualTo(-1);
    assertThat(m.prefixHitRate()).isGreaterThan(0);
  }

  @Test
  void forgettingCachedPrefixesFreesUnreferencedBlocksAndUnsharesTheRest() {
    BlockManager m = new BlockManager(4, 2, true);
    int[] a = {1, 2, 3, 4, 5};
    int b0 = m.allocate();
    int b1 = m.allocate();
    long h0 = m.commitFull(b0, 0, a, 0);
    m.commitFull(b1, h0, a, 2);
    m.release(b0); // b0 cached and unreferenced, b1 cached and still held
    m.forgetCachedPrefixes();
    assertThat(m.matchPrefix(a, 4)).isEmpty();
    assertThat(m.availableBlocks()).isEqualTo(3);
    m.release(b1);
    assertThat(m.availableBlocks()).isEqualTo(4);
    assertThat(m.matchPrefix(a, 4)).isEmpty();
  }

  @Test
  void releasingTooOftenIsABug() {
    BlockManager m = new BlockManager(2, 2, false);
    int b = m.allocate();
    m.release(b);
    assertThatThrownBy(() -> m.release(b)).isInstanceOf(IllegalStateException.class);
    assertThat(m.matchPrefix(new int[] {1, 2, 3}, 2)).isEmpty();
  }
}
