package io.troupe.runtime.protocol;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.placement.HeldBundle;
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
      ResourceSet total, List<String> gpuIds, ResourceSet available, Set<String> hosted, List<HeldBundle> bundles,
      ActorRef<AgentCommand> agent) implements ControlCommand, CborMessage {}

  /**
   * A node agent's authoritative free resources, what its actors use outside placement groups,
   * the actor incarnations it hosts and the bundles it holds.
   */
  record ResourceReport(NodeId nodeId, ResourceSet available, ResourceSet usedOutsideGroups, Set<String> hosted,
      List<HeldBundle> bundles, ActorRef<AgentCommand> agent) implements ControlCommand, CborMessage {}

  record CreateGroup(PlacementGroupSpec spec, ActorRef<Reply.GroupCreated> replyTo) implements ControlCommand, CborMessage {}

  record RemoveGroup(PlacementGroupId id, ActorRef<Reply.Ack> replyTo) implements ControlCommand, CborMessage {}

  /** Look a group up by id (when set) or by name. */
  record GetGroup(PlacementGroupId id, String name, ActorRef<Reply.Group> replyTo) implements ControlCommand, CborMessage {}

  record ListGroups(ActorRef<Reply.Groups> replyTo) implements ControlCommand, CborMessage {}

  /** Key-value store of the control service (persisted with the control state). A null value deletes. */
  record KvPut(String key, byte[] value, ActorRef<Reply.Ack> replyTo) implements ControlCommand, CborMessage {}

  record KvGet(String key, ActorRef<Reply.KvValue> replyTo) implements ControlCommand, CborMessage {}

  record KvKeys(String prefix, ActorRef<Reply.KvKeyList> replyTo) implements ControlCommand, CborMessage {}

  /** Replies when the group is CREATED, or with the reason it is not when the timeout passes. */
  record WaitGroupReady(PlacementGroupId id, long timeoutMillis, ActorRef<Reply.Group> replyTo)
      implements ControlCommand, CborMessage {}

  record CreateActor(ActorSpec spec, ActorRef<Reply.ActorReply> replyTo) implements ControlCommand, CborMessage {}

  /** Find an actor by id (when {@code id} is set) or by name. */
  record LookupActor(ActorId id, String name, ActorRef<Reply.Lookup> replyTo) implements ControlCommand, CborMessage {}

  record KillActor(ActorId id, String reason, ActorRef<Reply.Ack> replyTo) implements ControlCommand, CborMessage {}

  /** An actor incarnation failed at run time (see {@code Troupe.fail}). */
  record FailActor(ActorId id, int incarnation, String cause, ActorRef<Reply.Ack> replyTo)
      implements ControlCommand, CborMessage {}

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

    public record GroupCreated(PlacementGroupId id, String error) implements CborMessage {}

    public record Group(PlacementGroupInfo info, String error) implements CborMessage {}

    public record Groups(List<PlacementGroupInfo> groups) implements CborMessage {}

    public record KvValue(byte[] value) implements CborMessage {}

    public record KvKeyList(List<String> keys) implements CborMessage {}
  }
}
