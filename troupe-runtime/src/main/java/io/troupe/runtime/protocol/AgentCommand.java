package io.troupe.runtime.protocol;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.placement.BundleReply;
import io.troupe.runtime.placement.BundleReservation;
import io.troupe.runtime.resources.Allocation;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages to a node agent. */
public sealed interface AgentCommand {

  /** Messages that stay inside one JVM (timers, adapters); never serialized. */
  non-sealed interface Local extends AgentCommand {}

  /** The control service accepted the registration. */
  record Registered(NodeId nodeId) implements AgentCommand, CborMessage {}

  /** The control service does not know this node (it restarted): register again, with what is held. */
  record ReRegister() implements AgentCommand, CborMessage {}

  /**
   * Allocate the actor's resources here and construct it. For an actor in a placement group,
   * {@code group}/{@code bundleIndex} name the bundle it draws from (for a nested group: the root
   * bundle held on this node), {@code allocation} the share the head decided (its GPU ids are taken
   * when free) and {@code epoch} the group's epoch; all null/-1/0 otherwise.
   */
  record StartActor(ActorSpec spec, int incarnation, PlacementGroupId group, int bundleIndex, long epoch,
      Allocation allocation) implements AgentCommand, CborMessage {
    public StartActor(ActorSpec spec, int incarnation) {
      this(spec, incarnation, null, -1, 0, null);
    }
  }

  /** Two-phase commit of a placement-group bundle: set resources aside. */
  record PrepareBundle(BundleReservation reservation, ActorRef<BundleAck> replyTo) implements AgentCommand, CborMessage {}

  /** Two-phase commit: make a prepared bundle usable by actors. */
  record CommitBundle(BundleReservation reservation, ActorRef<BundleAck> replyTo) implements AgentCommand, CborMessage {}

  /** Release a bundle (abort, removal, or unknown to a restarted head), stopping its actors. */
  record CancelBundle(BundleReservation reservation, ActorRef<BundleAck> replyTo) implements AgentCommand, CborMessage {}

  /** A node agent's answer to a bundle command. */
  record BundleAck(BundleReply reply) implements CborMessage {}

  /** Stop the actor (kill, or it was moved); release its resources. */
  record StopActor(ActorId id, int incarnation, String reason) implements AgentCommand, CborMessage {}

  /**
   * Run one method call on a hosted actor; the result goes to {@code replyTo}. A caller inside a
   * placement group sends its group and epoch: a call between members of one group at different
   * epochs is refused (gang fencing).
   */
  record Invoke(long callId, ActorId id, int incarnation, String method, byte[] args,
      ActorRef<InvokeReply> replyTo, PlacementGroupId callerGroup, long callerEpoch)
      implements AgentCommand, CborMessage {}

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
