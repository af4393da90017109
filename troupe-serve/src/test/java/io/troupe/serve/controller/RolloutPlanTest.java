package io.troupe.serve.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.api.ReplicaState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One reconcile step of a rolling update, as a pure function: how many start, which stop, in what order. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RolloutPlanTest {
  private static final ReplicaVersion V1 = version("v1");
  private static final ReplicaVersion V2 = version("v2");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private int seq;

  private static ReplicaVersion version(String code) {
    return new ReplicaVersion(code, ResourceSet.of("CPU", 1), List.of(), PlacementStrategy.PACK);
  }

  /** A replica started {@code ageRank} seconds after T0 (higher: younger). */
  private ReplicaRecord replica(ReplicaVersion v, ReplicaState state, int ageRank) {
    return new ReplicaRecord(new ReplicaId(new DeploymentId("app", "d"), "r" + seq++), v,
        new ReplicaRuntimeConfig(null, 5), state, T0.plusSeconds(ageRank));
  }

  private List<ReplicaRecord> running(ReplicaVersion v, int count) {
    List<ReplicaRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(replica(v, ReplicaState.RUNNING, i));
    }
    return out;
  }

  @Test
  void theBatchIsTwentyPercentOfTheTargetAboveTenReplicas() {
    assertThat(RolloutPlan.of(running(V1, 25), V2, 25, false).start()).isEqualTo(5);
    assertThat(RolloutPlan.of(running(V1, 12), V2, 12, false).start()).isEqualTo(2);
    assertThat(RolloutPlan.of(running(V1, 14), V2, 14, false).start()).isEqualTo(2); // 2.8 rounds down
    assertThat(RolloutPlan.of(running(V1, 4), V2, 4, false).start()).isEqualTo(1); // at least one
    // nothing old to keep serving: everything starts at once
    assertThat(RolloutPlan.of(List.of(), V2, 25, false).start()).isEqualTo(25);
  }

  @Test
  void pendingNewReplicasCountAgainstTheBatchAndNothingOldStopsBeforeNewOnesServe() {
    List<ReplicaRecord> rs = running(V1, 20);
    for (int i = 0; i < 3; i++) {
      rs.add(replica(V2, ReplicaState.STARTING, 100 + i));
    }
    RolloutPlan plan = RolloutPlan.of(rs, V2, 20, false);
    assertThat(plan.start()).isEqualTo(1); // batch 4, three pending
    assertThat(plan.stop()).isEmpty(); // serving count would drop below 20
  }

  @Test
  void oldReplicasStopOldestFirstAsNewOnesServe() {
    List<ReplicaRecord> old = running(V1, 12);
    List<ReplicaRecord> rs = new ArrayList<>(old.reversed()); // the plan sorts by start time itself
    rs.add(replica(V2, ReplicaState.RUNNING, 100));
    rs.add(replica(V2, ReplicaState.RUNNING, 101));
    rs.add(replica(V2, ReplicaState.RUNNING, 102));
    RolloutPlan plan = RolloutPlan.of(rs, V2, 12, false);
    assertThat(plan.stop()).containsExactly(old.get(0), old.get(1), old.get(2));
    assertThat(plan.start()).isEqualTo(2); // batch of 2, none pending
  }

  @Test
  void oldReplicasThatServeNothingStopAtOnceAndAStoppingOneIsNotCounted() {
    ReplicaRecord starting = replica(V1, ReplicaState.STARTING, 0);
    ReplicaRecord stopping = replica(V1, ReplicaState.STOPPING, 1);
    List<ReplicaRecord> rs = new ArrayList<>(running(V1, 2));
    rs.add(starting);
    rs.add(stopping);
    RolloutPlan plan = RolloutPlan.of(rs, V2, 2, false);
    assertThat(plan.stop()).containsExactly(starting);
    assertThat(plan.start()).isEqualTo(1);
  }

  @Test
  void downscaleStopsPendingReplicasFirstThenTheYoungest() {
    ReplicaRecord oldest = replica(V2, ReplicaState.RUNNING, 0);
    ReplicaRecord middle = replica(V2, ReplicaState.RUNNING, 5);
    ReplicaRecord youngest = replica(V2, ReplicaState.RUNNING, 9);
    ReplicaRecord pending = replica(V2, ReplicaState.STARTING, 3);
    RolloutPlan plan = RolloutPlan.of(List.of(oldest, youngest, pending, middle), V2, 2, false);
    assertThat(plan.stop()).containsExactly(pending, youngest);
    assertThat(plan.start()).isZero();
    assertThat(RolloutPlan.of(List.of(oldest, youngest, pending, middle), V2, 1, false).stop())
        .containsExactly(pending, youngest, middle);
  }

  @Test
  void anExhaustedRetryBudgetStartsNothing() {
    RolloutPlan plan = RolloutPlan.of(running(V1, 3), V2, 3, true);
    assertThat(plan.start()).isZero();
    assertThat(plan.stop()).isEmpty();
    assertThat(RolloutPlan.of(List.of(), V2, 3, true).start()).isZero();
  }
}
