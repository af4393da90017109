package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.protocol.ActorSpec;

/** The control service's mutable record of one actor. Owned by the control service's thread. */
final class ActorRecord {
  final ActorSpec spec;
  final long seq;
  ActorState state = ActorState.PENDING_CREATION;
  /** Node it runs on (ALIVE) or is being started on (pending with a start in flight); else null. */
  NodeId nodeId;
  int incarnation;
  int numRestarts;
  String deathCause;
  String pendingReason;
  boolean infeasible;
  /** The bundle of its group it runs in, once placed; -1 otherwise. */
  int bundleIndex = -1;
  /** A node that refused this actor for lack of room; skipped until that node reports again. */
  NodeId refusedBy;
  /** The group the actor runs in (InPlacementGroup strategy), else null. */
  final io.troupe.runtime.api.PlacementGroupId group;

  ActorRecord(ActorSpec spec, long seq) {
    this.spec = spec;
    this.seq = seq;
    this.group = spec.options().strategy() instanceof io.troupe.runtime.api.SchedulingStrategy.InPlacementGroup g
        ? g.group() : null;
  }

  String key() {
    return key(spec.id().value(), incarnation);
  }

  static String key(String actorId, int incarnation) {
    return actorId + "#" + incarnation;
  }

  boolean waitingForNode() {
    return (state == ActorState.PENDING_CREATION || state == ActorState.RESTARTING) && nodeId == null;
  }

  ActorSnapshot snapshot() {
    return new ActorSnapshot(spec, seq, state, nodeId, incarnation, numRestarts, deathCause, bundleIndex);
  }

  ActorInfo info() {
    return new ActorInfo(spec.id(), spec.className(), spec.options().name(), state, nodeId, numRestarts,
        spec.options().maxRestarts(), spec.options().resources(), deathCause,
        waitingForNode() ? pendingReason : null);
  }
}
