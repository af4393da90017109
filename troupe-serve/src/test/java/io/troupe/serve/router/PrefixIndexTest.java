package io.troupe.serve.router;

import static io.troupe.serve.router.RouterFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.serve.api.ReplicaId;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PrefixIndexTest {
  private static final ReplicaId A = replica("a");
  private static final ReplicaId B = replica("b");
  private static final Set<ReplicaId> BOTH = Set.of(A, B);

  @Test
  void matchesTheLongestLearntPrefixInWholeBlocks() {
    PrefixIndex idx = new PrefixIndex(4, 1000);
    idx.learn("systemprompt:question one", A);
    PrefixIndex.Match m = idx.match("systemprompt:question two", BOTH);
    // blocks "syst" "empr" "ompt" ":que" "stio" "n on|n tw": five shared, the sixth differs
    assertThat(m.matchedChars()).isEqualTo(20);
    assertThat(m.replicas()).containsExactly(A);
    assertThat(idx.match("other prompt", BOTH).matchedChars()).isZero();
    assertThat(idx.match("other prompt", BOTH).replicas()).isEmpty();
    // a whole learnt key matches fully, a shorter tail block included
    assertThat(idx.match("systemprompt:question one", BOTH).matchedChars()).isEqualTo(25);
  }

  @Test
  void onlyTheGivenReplicasCountAndTheLongestHolderWins() {
    PrefixIndex idx = new PrefixIndex(4, 1000);
    idx.learn("aaaabbbb", A);
    idx.learn("aaaabbbbcccc", B);
    assertThat(idx.match("aaaabbbbcccc", BOTH)).isEqualTo(new PrefixIndex.Match(12, Set.of(B)));
    assertThat(idx.match("aaaabbbbdddd", BOTH)).isEqualTo(new PrefixIndex.Match(8, Set.of(A, B)));
    assertThat(idx.match("aaaabbbbcccc", Set.of(A))).isEqualTo(new PrefixIndex.Match(8, Set.of(A)));
  }

  @Test
  void aBlockIsIdentifiedByItsWholePrefix() {
    PrefixIndex idx = new PrefixIndex(4, 1000);
    idx.learn("xxxxbbbb", A);
    // the same second block after another first block is another prefix
    assertThat(idx.match("yyyybbbb", BOTH).matchedChars()).isZero();
  }

  @Test
  void staysWithinItsBoundEvictingTheLeastRecentlyLearntTailFirst() {
    PrefixIndex idx = new PrefixIndex(4, 6);
    idx.learn("aaaabbbbcccc", A); // 3 entries
    idx.learn("ddddeeeeffff", A); // 6
    idx.learn("aaaabbbbcccc", A); // touched again: now the most recent
    idx.learn("gggghhhh", B); // 8 > 6: two evicted, the d-prefix's tail first
    assertThat(idx.entries()).isEqualTo(6);
    assertThat(idx.match("aaaabbbbcccc", BOTH).matchedChars()).isEqualTo(12);
    assertThat(idx.match("ddddeeeeffff", BOTH).matchedChars()).isEqualTo(4); // its head survived
    assertThat(idx.size(A)).isEqualTo(4);
    assertThat(idx.size(B)).isEqualTo(2);
  }

  @Test
  void retainDropsEveryEntryOfReplicasThatLeft() {
    PrefixIndex idx = new PrefixIndex(4, 100);
    idx.learn("aaaabbbb", A);
    idx.learn("aaaacccc", B);
    idx.retain(Set.of(B));
    assertThat(idx.replicas()).containsExactly(B);
    assertThat(idx.entries()).isEqualTo(2);
    assertThat(idx.match("aaaabbbb", BOTH)).isEqualTo(new PrefixIndex.Match(4, Set.of(B)));
    assertThat(idx.size(A)).isZero();
  }
}
