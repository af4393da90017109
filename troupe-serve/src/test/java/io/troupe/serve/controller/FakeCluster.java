package io.troupe.serve.controller;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.serve.api.ReplicaId;
import io.troupe.serve.controller.ClusterOps.HealthReport;
import io.troupe.serve.controller.ClusterOps.ReplicaReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A scripted {@link ClusterOps}: actions are recorded and stay Pending until the test says how they
 * end ({@link #setReady}, {@link #setFailed}, {@link #kill}, {@link #finishStop}, {@link #setHealth}).
 */
class FakeCluster implements ClusterOps {
  /** Every call in order, e.g. "start a#D#1", "checkpoint", "stop a#D#1". */
  final List<String> calls = new ArrayList<>();
  final Map<ReplicaId, ReplicaStartSpec> started = new LinkedHashMap<>();
  final Map<ReplicaId, ReplicaReport> reports = new LinkedHashMap<>();
  final Map<ReplicaId, HealthReport> health = new LinkedHashMap<>();
  final Map<ReplicaId, List<ReplicaRuntimeConfig>> reconfigured = new LinkedHashMap<>();
  final Map<ReplicaId, Duration[]> stopped = new LinkedHashMap<>();
  final List<PlacementGroupId> removedGroups = new ArrayList<>();
  final List<ControllerCheckpoint> checkpoints = new ArrayList<>();
  int healthChecks;

  @Override
  public void startReplica(ReplicaStartSpec spec) {
    calls.add("start " + spec.id());
    started.put(spec.id(), spec);
    reports.put(spec.id(), new ReplicaReport.Pending());
  }

  @Override
  public ReplicaReport poll(ReplicaId id) {
    return reports.getOrDefault(id, new ReplicaReport.Dead("unknown replica " + id));
  }

  @Override
  public void reconfigure(ReplicaId id, ReplicaRuntimeConfig config) {
    calls.add("reconfigure " + id);
    reconfigured.computeIfAbsent(id, k -> new ArrayList<>()).add(config);
    reports.put(id, new ReplicaReport.Pending());
  }

  @Override
  public void checkHealth(ReplicaId id) {
    healthChecks++;
    health.put(id, new HealthReport.Pending());
  }

  @Override
  public HealthReport pollHealth(ReplicaId id) {
    return health.getOrDefault(id, new HealthReport.Pending());
  }

  @Override
  public void stopReplica(ReplicaId id, Duration waitLoop, Duration timeout) {
    calls.add("stop " + id);
    stopped.put(id, new Duration[] {waitLoop, timeout});
    reports.put(id, new ReplicaReport.Pending());
  }

  @Override
  public void removePlacementGroup(PlacementGroupId id) {
    calls.add("remove-pg " + id);
    removedGroups.add(id);
  }

  @Override
  public void saveCheckpoint(ControllerCheckpoint checkpoint) {
    calls.add("checkpoint");
    checkpoints.add(checkpoint);
  }

  // ---------------------------------------------------------------- scripting

  static io.troupe.runtime.api.ActorId actorOf(ReplicaId id) {
    return io.troupe.runtime.api.ActorId.of("actor-" + id.unique());
  }

  static PlacementGroupId groupOf(ReplicaId id) {
    return PlacementGroupId.of("pg-" + id);
  }

  void setReady(ReplicaId id, String node) {
    ReplicaStartSpec spec = started.get(id);
    Optional<PlacementGroupId> pg = spec != null && spec.placementGroup().isPresent()
        ? Optional.of(groupOf(id)) : Optional.empty();
    reports.put(id, new ReplicaReport.Ready(NodeId.of(node), pg, Optional.of(actorOf(id))));
  }

  /** Every started replica whose latest action is pending becomes ready on {@code node}. */
  void readyAll(String node) {
    for (ReplicaId id : List.copyOf(reports.keySet())) {
      if (reports.get(id) instanceof ReplicaReport.Pending && !stopped.containsKey(id)) {
        setReady(id, node);
      }
    }
  }

  void setFailed(ReplicaId id, String error) {
    reports.put(id, new ReplicaReport.Failed(error, Optional.empty()));
  }

  void kill(ReplicaId id, String cause) {
    reports.put(id, new ReplicaReport.Dead(cause));
  }

  void finishStop(ReplicaId id) {
    reports.put(id, new ReplicaReport.Stopped());
  }

  /** Every replica asked to stop has stopped. */
  void finishStops() {
    stopped.keySet().forEach(this::finishStop);
  }

  void setHealth(ReplicaId id, HealthReport h) {
    health.put(id, h);
  }

  /** Replicas started and not asked to stop. */
  List<ReplicaId> live() {
    return started.keySet().stream().filter(id -> !stopped.containsKey(id)).toList();
  }

  long count(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).count();
  }
}
