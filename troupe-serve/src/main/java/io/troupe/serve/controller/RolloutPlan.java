package io.troupe.serve.controller;

import static io.troupe.serve.api.ReplicaState.STOPPING;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one reconcile step starts and stops to move a deployment's replicas toward its target
 * (Ray Serve's rolling update): up to {@code max(1, 20% of target)} replicas of a new version are
 * pending at a time while old ones serve; an old serving replica is stopped only while the serving
 * count stays at or above the target; old replicas that serve nothing yet are stopped at once; on
 * downscale pending replicas go first, then the youngest. A pure function of the replicas' states.
 *
 * @param start how many new replicas of the target version to record
 * @param stop replicas to stop, in order
 */
record RolloutPlan(int start, List<ReplicaRecord> stop) {

  /**
   * Plans one step toward {@code n} replicas of {@code version}; {@code budgetExhausted}: no new
   * replica may start (the retry budget is used up).
   */
  static RolloutPlan of(List<ReplicaRecord> replicas, ReplicaVersion version, int n, boolean budgetExhausted) {
    List<ReplicaRecord> stop = new ArrayList<>();
    List<ReplicaRecord> old = new ArrayList<>();
    List<ReplicaRecord> neu = new ArrayList<>();
    for (ReplicaRecord r : replicas) {
      if (!r.is(STOPPING)) {
        (r.version.equals(version) ? neu : old).add(r);
      }
    }
    for (ReplicaRecord o : List.copyOf(old)) {
      if (!o.state.serving()) {
        stop.add(o); // an old replica that serves nothing yet is not worth waiting for
        old.remove(o);
      }
    }
    long newServing = neu.stream().filter(r -> r.state.serving()).count();
    long newPending = neu.size() - newServing;
    int start = 0;
    if (neu.size() < n && !budgetExhausted) {
      long canStart = n - neu.size();
      if (!old.isEmpty()) {
        canStart = Math.min(canStart, Math.max(0, rolloutSize(n) - newPending));
      }
      start = (int) canStart;
    } else if (neu.size() > n) {
      List<ReplicaRecord> victims = new ArrayList<>(neu);
      // Pending ones first (they serve nothing), then the youngest.
      victims.sort(Comparator.comparing((ReplicaRecord r) -> r.state.serving())
          .thenComparing(r -> r.startTime, Comparator.reverseOrder()));
      for (int i = 0; i < neu.size() - n; i++) {
        if (victims.get(i).state.serving()) {
          newServing--;
        }
        stop.add(victims.get(i));
      }
    }
    long excess = old.size() + newServing - n;
    old.sort(Comparator.comparing(r -> r.startTime));
    for (int i = 0; i < Math.min(excess, old.size()); i++) {
      stop.add(old.get(i));
    }
    return new RolloutPlan(start, stop);
  }

  private static int rolloutSize(int n) {
    return Math.max(1, (int) (0.2 * n));
  }
}
