package io.troupe.serve.router;

import io.troupe.runtime.api.NodeId;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Fakes for router tests: a manual clock and a prober whose answers the test gives. */
final class RouterFixtures {
  private RouterFixtures() {
  }

  static ReplicaId replica(String u) {
    return new ReplicaId(new DeploymentId("app", "D"), u);
  }

  static final class Clock implements InstantSource {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  /** Probes stay open until {@link #answer}/{@link #dead}; {@link #probed} lists them in order. */
  static final class Prober implements QueueLengthProber {
    final Map<ReplicaId, CompletableFuture<Integer>> open = new LinkedHashMap<>();
    final List<ReplicaId> probed = new ArrayList<>();

    @Override
    public CompletionStage<Integer> probe(ReplicaId replica) {
      probed.add(replica);
      CompletableFuture<Integer> f = new CompletableFuture<>();
      open.put(replica, f);
      return f;
    }

    void answer(ReplicaId r, int len) {
      open.remove(r).complete(len);
    }

    void answerAll(int len) {
      for (ReplicaId r : List.copyOf(open.keySet())) {
        answer(r, len);
      }
    }

    void dead(ReplicaId r) {
      open.remove(r).completeExceptionally(new ReplicaDeadException(r + " is gone"));
    }
  }

  static Map<ReplicaId, NodeId> on(String node, String... ids) {
    Map<ReplicaId, NodeId> m = new LinkedHashMap<>();
    for (String id : ids) {
      m.put(replica(id), NodeId.of(node));
    }
    return m;
  }
}
