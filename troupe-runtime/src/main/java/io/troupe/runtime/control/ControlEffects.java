package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.protocol.ActorSpec;

/**
 * The side effects of the control service, sent to node agents. The Pekko shell implements it with
 * messages; unit tests use a recording fake.
 */
public interface ControlEffects {
  /** Starts an actor; {@code bundle} (may be null) names the group bundle it draws from, at {@code epoch}. */
  void startActor(NodeId node, ActorSpec spec, int incarnation, GroupPlacer.BundleTarget bundle, long epoch,
      io.troupe.runtime.resources.Allocation allocation);

  void stopActor(NodeId node, ActorId id, int incarnation, String reason);

  /** Tells every node's call router that an actor changed state. */
  void actorChanged(ActorInfo info, int incarnation);
}
