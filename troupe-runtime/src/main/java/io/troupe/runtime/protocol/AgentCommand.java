package io.troupe.runtime.protocol;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.NodeId;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages to a node agent. */
public sealed interface AgentCommand {

  /** Messages that stay inside one JVM (timers, adapters); never serialized. */
  non-sealed interface Local extends AgentCommand {}

  /** The control service accepted the registration. */
  record Registered(NodeId nodeId) implements AgentCommand, CborMessage {}

  /** Allocate the actor's resources here and construct it. */
  record StartActor(ActorSpec spec, int incarnation) implements AgentCommand, CborMessage {}

  /** Stop the actor (kill, or it was moved); release its resources. */
  record StopActor(ActorId id, int incarnation, String reason) implements AgentCommand, CborMessage {}

  /** Run one method call on a hosted actor; the result goes to {@code replyTo}. */
  record Invoke(long callId, ActorId id, int incarnation, String method, byte[] args,
      ActorRef<InvokeReply> replyTo) implements AgentCommand, CborMessage {}

  /**
   * An actor's state changed (broadcast by the control service to every node's call router);
   * {@code agent} is its node agent when ALIVE, else null.
   */
  record ActorUpdate(ActorInfo info, int incarnation, ActorRef<AgentCommand> agent)
      implements AgentCommand, CborMessage {}

  /**
   * Result of an {@link Invoke}: a result, or an error, or {@code notHere} (this node does not host
   * that incarnation: look it up again).
   */
  record InvokeReply(long callId, byte[] result, String errorClass, String errorMessage, String errorStack,
      boolean notHere) implements CborMessage {}
}
