package io.troupe.runtime.protocol;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages to the control service (the head's cluster singleton). */
public sealed interface ControlCommand {

  /** Messages that stay inside one JVM (timers, adapters); never serialized. */
  non-sealed interface Local extends ControlCommand {}

  /** A node agent announces itself; repeated after a control-service fail-over. */
  record RegisterNode(NodeId nodeId, String address, boolean head, Map<String, String> labels,
      ResourceSet total, List<String> gpuIds, ResourceSet available, Set<String> hosted,
      ActorRef<AgentCommand> agent) implements ControlCommand, CborMessage {}

  /** A node agent's authoritative free resources and the actor incarnations it hosts. */
  record ResourceReport(NodeId nodeId, ResourceSet available, Set<String> hosted)
      implements ControlCommand, CborMessage {}

  record CreateActor(ActorSpec spec, ActorRef<Reply.ActorReply> replyTo) implements ControlCommand, CborMessage {}

  /** Find an actor by id (when {@code id} is set) or by name. */
  record LookupActor(ActorId id, String name, ActorRef<Reply.Lookup> replyTo) implements ControlCommand, CborMessage {}

  record KillActor(ActorId id, String reason, ActorRef<Reply.Ack> replyTo) implements ControlCommand, CborMessage {}

  /** From a node agent: the actor's constructor returned. */
  record ActorStarted(ActorId id, int incarnation, NodeId nodeId) implements ControlCommand, CborMessage {}

  /**
   * From a node agent: the actor could not start. {@code noResources} means the agent's ledger had no
   * room (a stale view): schedule again. Otherwise the constructor failed and the actor is dead.
   */
  record ActorStartFailed(ActorId id, int incarnation, NodeId nodeId, boolean noResources, String error)
      implements ControlCommand, CborMessage {}

  record GetStatus(ActorRef<Reply.Status> replyTo) implements ControlCommand, CborMessage {}

  record ListActors(ActorRef<Reply.Actors> replyTo) implements ControlCommand, CborMessage {}

  /** Replies of the control service. */
  final class Reply {
    private Reply() {}

    public record ActorReply(ActorInfo info, String error) implements CborMessage {}

    /** Where an actor lives now; {@code agent} is null unless it is ALIVE. */
    public record Lookup(ActorInfo info, int incarnation, ActorRef<AgentCommand> agent, String error)
        implements CborMessage {}

    public record Ack(String error) implements CborMessage {}

    public record Status(ClusterStatus status) implements CborMessage {}

    public record Actors(List<ActorInfo> actors) implements CborMessage {}
  }
}
