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
  void startActor(NodeId node, ActorSpec spec, int incarnation);

  void stopActor(NodeId node, ActorId id, int incarnation, String reason);

  /** Tells every node's call router that an actor changed state. */
  void actorChanged(ActorInfo info, int incarnation);
}
