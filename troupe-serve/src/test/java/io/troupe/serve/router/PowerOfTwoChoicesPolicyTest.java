package io.troupe.serve.router;

import static io.troupe.serve.router.RouterFixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.ReplicaId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PowerOfTwoChoicesPolicyTest {

  private static RoutingContext ctx(int local, int remote) {
    List<ReplicaCandidate> cs = new ArrayList<>();
    for (int i = 0; i < local; i++) {
      cs.add(new ReplicaCandidate(replica("l" + i), NodeId.of("me"), true, OptionalInt.empty(), Optional.empty()));
    }
    for (int i = 0; i < remote; i++) {
      cs.add(new ReplicaCandidate(replica("r" + i), NodeId.of("other"), false, OptionalInt.empty(), Optional.empty()));
    }
    return new RoutingContext(RoutingRequest.of("q"), cs, 5, 0);
  }

  @Test
  void sameNodeTierFirstThenOthersTwoDistinctEach() {
    PowerOfTwoChoicesPolicy p = new PowerOfTwoChoicesPolicy(new SplittableRandom(3));
    for (int i = 0; i < 200; i++) {
      List<List<ReplicaId>> tiers = p.rank(ctx(4, 5));
      assertThat(tiers).hasSize(2);
      assertThat(tiers.get(0)).hasSize(2).doesNotHaveDuplicates().allMatch(r -> r.unique().startsWith("l"));
      assertThat(tiers.get(1)).hasSize(2).doesNotHaveDuplicates().allMatch(r -> r.unique().startsWith("r"));
    }
  }

  @Test
  void samplesEveryReplicaEventually() {
    PowerOfTwoChoicesPolicy p = new PowerOfTwoChoicesPolicy(new SplittableRandom(5));
    Set<ReplicaId> seen = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      seen.addAll(p.rank(ctx(0, 6)).get(0));
    }
    assertThat(seen).hasSize(6);
  }

  @Test
  void smallTiersAndNoLocalityPreference() {
    assertThat(new PowerOfTwoChoicesPolicy(new SplittableRandom(1)).rank(ctx(1, 0))).containsExactly(List.of(replica("l0")));
    List<List<ReplicaId>> tiers = new PowerOfTwoChoicesPolicy(new SplittableRandom(1), false).rank(ctx(2, 2));
    assertThat(tiers).hasSize(1);
    assertThat(new PowerOfTwoChoicesPolicy(new SplittableRandom(1)).rank(ctx(0, 0))).isEmpty();
  }
}
