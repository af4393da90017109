package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.protocol.ActorSpec;
import java.util.ArrayList;
import java.util.List;

/** Records every effect of the control service, in order. */
final class RecordingControlEffects implements ControlEffects {
  sealed interface Effect {}

  record Start(NodeId node, ActorId id, int incarnation) implements Effect {}

  record Stop(NodeId node, ActorId id, int incarnation, String reason) implements Effect {}

  record Changed(ActorInfo info, int incarnation) implements Effect {}

  final List<Effect> all = new ArrayList<>();

  @Override
  public void startActor(NodeId node, ActorSpec spec, int incarnation, GroupPlacer.BundleTarget bundle, long epoch,
      io.troupe.runtime.resources.Allocation allocation) {
    all.add(new Start(node, spec.id(), incarnation));
  }

  @Override
  public void stopActor(NodeId node, ActorId id, int incarnation, String reason) {
    all.add(new Stop(node, id, incarnation, reason));
  }

  @Override
  public void actorChanged(ActorInfo info, int incarnation) {
    all.add(new Changed(info, incarnation));
  }

  /** Effects recorded since the last call, then forgets them. */
  List<Effect> drain() {
    List<Effect> out = List.copyOf(all);
    all.clear();
    return out;
  }

  List<Start> starts() {
    return all.stream().filter(Start.class::isInstance).map(Start.class::cast).toList();
  }
}
