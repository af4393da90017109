package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A head (manager) plus scripted node agents, a manual clock and a recording listener. */
final class Sim {
  final ManualClock clock = new ManualClock();
  final ScriptedAgents agents = new ScriptedAgents();
  final PlacementGroupStore store = PlacementGroupStore.inMemory();
  final List<String> events = new ArrayList<>();
  final Map<PlacementGroupId, List<GangMember>> recreated = new HashMap<>();
  final PlacementGroupListener listener = new PlacementGroupListener() {
    @Override
    public void stopActors(PlacementGroupId group, List<ActorId> actors, String reason) {
      events.add("stop " + group + " " + actors + " " + reason);
    }

    @Override
    public void recreateGang(PlacementGroupId group, long epoch, List<GangMember> members) {
      events.add("recreate " + group + " epoch " + epoch);
      recreated.put(group, members);
    }

    @Override
    public void stateChanged(PlacementGroupId group, PlacementGroupState state, String reason) {
      events.add("state " + group + " " + state);
    }
  };
  PlacementGroupManager manager;

  Sim(PlacementConfig config) {
    manager = newHead(config);
  }

  Sim() {
    this(PlacementConfig.DEFAULTS);
  }

  PlacementGroupManager newHead(PlacementConfig config) {
    return new PlacementGroupManager(config, agents, store, listener, clock, new SplittableRandom(7), agents);
  }

  NodeId node(String id, double cpu, double gpu) {
    return node(id, cpu, gpu, Map.of());
  }

  NodeId node(String id, double cpu, double gpu, Map<String, String> labels) {
    NodeId n = NodeId.of(id);
    ResourceSet total = gpu > 0 ? ResourceSet.of("CPU", cpu, "GPU", gpu) : ResourceSet.of("CPU", cpu);
    agents.addNode(n, total);
    manager.onNodeAdded(n, total, labels);
    return n;
  }

  void kill(NodeId n) {
    agents.removeNode(n);
    manager.onNodeDead(n);
  }

  /** One tick at the current time, then every reply. */
  void step() {
    manager.tick(clock.instant());
    agents.drain();
  }

  void advance(Duration d) {
    clock.advance(d);
    step();
  }

  PlacementGroupId create(PlacementGroupSpec spec) {
    return manager.create(spec);
  }

  PlacementGroupState state(PlacementGroupId id) {
    return manager.info(id).map(i -> i.state()).orElse(PlacementGroupState.REMOVED);
  }

  /** The store's record of a group, if any. */
  java.util.Optional<PersistedGroup> stored(PlacementGroupId id) {
    return store.loadAll().stream().filter(g -> g.id().equals(id)).findFirst();
  }

  /** Bundles held by all node tables. */
  int heldBundles() {
    return agents.tables().values().stream().mapToInt(t -> t.report().size()).sum();
  }
}
