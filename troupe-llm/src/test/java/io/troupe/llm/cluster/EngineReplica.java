package io.troupe.llm.cluster;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.Troupe;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A test actor standing in for a serving replica that holds a placement group: it runs the rank launcher
 * and an engine inside itself, as a deployment's replica would.
 */
public final class EngineReplica {
  /** What the replica saw: tokens, where the ranks went, and the cluster's groups while they ran. */
  public record Run(List<List<Integer>> tokens, List<RankIdentity> ranks, boolean launcherOwnsGroup,
      String myGroup, List<String> groupsWhileRunning) implements Serializable {}

  public EngineReplica() {}

  static ClusterRanks.Options options(int tp, int pp) {
    return ClusterRanks.Options.builder(tp, pp).perRank(Map.of("CPU", 1, "GPU", 1))
        .rankOptions(Generations.rankOptions()).stepTimeout(Duration.ofSeconds(20))
        .startTimeout(Duration.ofSeconds(30)).build();
  }

  /** Starts tp x pp ranks in this replica's reservation, generates greedily, stops them. */
  public Run generate(String modelDir, int tp, int pp) {
    ActorContext ctx = ActorContext.current().orElseThrow();
    Troupe troupe = ctx.troupe();
    try (ClusterRanks ranks = ClusterRanks.launch(troupe, Path.of(modelDir), options(tp, pp))) {
      List<String> groups = groupIds(troupe);
      return new Run(Generations.greedy(ranks.executor()), ranks.identities(), ranks.ownsGroup(),
          ctx.placementGroup().orElseThrow().value(), groups);
    }
  }

  /** Tries to start tp x pp ranks; returns the launcher's error message, or "started". */
  public String tryLaunch(String modelDir, int tp, int pp) {
    try (ClusterRanks ignored = ClusterRanks.launch(ActorContext.current().orElseThrow().troupe(), Path.of(modelDir),
        options(tp, pp))) {
      return "started";
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  static List<String> groupIds(Troupe troupe) {
    return troupe.placementGroups().join().stream().map(PlacementGroupInfo::id).map(Object::toString).sorted().toList();
  }
}
