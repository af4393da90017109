package io.troupe.runtime.placement;

import io.troupe.runtime.api.PlacementGroupState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The fair order in which PENDING and RESCHEDULING groups are tried on a tick: only groups whose
 * back-off has passed, without an attempt in flight and not parked as infeasible; least recently
 * tried first (round robin, so one group that never fits cannot hog the head of the queue); up to
 * {@link PlacementConfig#rescheduleBurst()} RESCHEDULING groups, then one PENDING group, and so on.
 * Stateless; reads the manager's table.
 */
final class PendingQueue {
  private static final Comparator<GroupRecord> FAIR =
      Comparator.comparingLong((GroupRecord g) -> g.lastServed).thenComparingLong(g -> g.seq);

  private PendingQueue() {}

  static List<GroupRecord> order(ManagerState s, Instant now) {
    List<GroupRecord> resched = new ArrayList<>();
    List<GroupRecord> pending = new ArrayList<>();
    for (GroupRecord g : s.groups.values()) {
      if (g.schedulable() && !now.isBefore(g.nextTryAt)) {
        (g.state == PlacementGroupState.RESCHEDULING ? resched : pending).add(g);
      }
    }
    resched.sort(FAIR);
    pending.sort(FAIR);
    List<GroupRecord> out = new ArrayList<>(Math.min(s.config.maxAttemptsPerTick(), resched.size() + pending.size()));
    int r = 0;
    int p = 0;
    while ((r < resched.size() || p < pending.size()) && out.size() < s.config.maxAttemptsPerTick()) {
      for (int k = 0; k < s.config.rescheduleBurst() && r < resched.size(); k++) {
        out.add(resched.get(r++));
      }
      if (p < pending.size()) {
        out.add(pending.get(p++));
      }
    }
    return out.size() > s.config.maxAttemptsPerTick() ? out.subList(0, s.config.maxAttemptsPerTick()) : out;
  }
}
