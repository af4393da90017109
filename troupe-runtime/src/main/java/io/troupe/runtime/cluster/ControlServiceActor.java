package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.control.ControlEffects;
import io.troupe.runtime.control.ControlService;
import io.troupe.runtime.protocol.ActorSpec;
import io.troupe.runtime.protocol.AgentCommand;
import io.troupe.runtime.protocol.ControlCommand;
import io.troupe.runtime.protocol.ControlCommand.Reply;
import io.troupe.runtime.scheduling.ActorSchedulingPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Pekko shell of the {@link ControlService}, run as a cluster singleton on the head. Translates
 * messages into calls on the service (its single writer), membership events into node deaths, and
 * the service's effects into messages to node agents.
 */
final class ControlServiceActor extends AbstractBehavior<ControlCommand> {
  private record Tick() implements ControlCommand.Local {}

  private record MemberChanged(ClusterEvent.MemberEvent event) implements ControlCommand.Local {}

  private final Map<NodeId, ActorRef<AgentCommand>> agents = new HashMap<>();
  private final Map<Address, NodeId> byAddress = new HashMap<>();
  private final ControlService service;

  static Behavior<ControlCommand> create() {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), Duration.ofSeconds(1));
      ActorRef<ClusterEvent.MemberEvent> adapter = ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new);
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.MemberEvent.class));
      return new ControlServiceActor(ctx);
    }));
  }

  private ControlServiceActor(ActorContext<ControlCommand> ctx) {
    super(ctx);
    this.service = new ControlService(new Effects(), new ActorSchedulingPolicy(RandomGenerator.getDefault()));
    ctx.getLog().info("control service started on {}", ctx.getSystem().address());
  }

  @Override
  public Receive<ControlCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(ControlCommand.RegisterNode.class, this::onRegister)
        .onMessage(ControlCommand.ResourceReport.class, m -> {
          service.resourceReport(m.nodeId(), m.available(), m.hosted());
          return this;
        })
        .onMessage(ControlCommand.CreateActor.class, this::onCreate)
        .onMessage(ControlCommand.LookupActor.class, this::onLookup)
        .onMessage(ControlCommand.KillActor.class, m -> {
          try {
            service.killActor(m.id(), m.reason());
            m.replyTo().tell(new Reply.Ack(null));
          } catch (IllegalArgumentException e) {
            m.replyTo().tell(new Reply.Ack(e.getMessage()));
          }
          return this;
        })
        .onMessage(ControlCommand.ActorStarted.class, m -> {
          service.actorStarted(m.id(), m.incarnation(), m.nodeId());
          return this;
        })
        .onMessage(ControlCommand.ActorStartFailed.class, m -> {
          service.actorStartFailed(m.id(), m.incarnation(), m.nodeId(), m.noResources(), m.error());
          return this;
        })
        .onMessage(ControlCommand.GetStatus.class, m -> {
          m.replyTo().tell(new Reply.Status(service.status()));
          return this;
        })
        .onMessage(ControlCommand.ListActors.class, m -> {
          m.replyTo().tell(new Reply.Actors(service.actors()));
          return this;
        })
        .onMessage(MemberChanged.class, this::onMember)
        .onMessage(Tick.class, m -> {
          service.tick();
          return this;
        })
        .build();
  }

  private Behavior<ControlCommand> onRegister(ControlCommand.RegisterNode m) {
    agents.put(m.nodeId(), m.agent());
    byAddress.put(m.agent().path().address(), m.nodeId());
    service.registerNode(m.nodeId(), m.address(), m.head(), m.labels(), m.total(), m.gpuIds(), m.available(),
        m.hosted());
    m.agent().tell(new AgentCommand.Registered(m.nodeId()));
    return this;
  }

  private Behavior<ControlCommand> onCreate(ControlCommand.CreateActor m) {
    try {
      ActorInfo info = service.createActor(m.spec());
      m.replyTo().tell(new Reply.ActorReply(info, null));
    } catch (IllegalArgumentException e) {
      m.replyTo().tell(new Reply.ActorReply(null, e.getMessage()));
    }
    return this;
  }

  private Behavior<ControlCommand> onLookup(ControlCommand.LookupActor m) {
    Optional<ActorId> id = m.id() != null ? Optional.of(m.id()) : service.actorByName(m.name());
    Optional<ActorInfo> info = id.flatMap(service::actor);
    if (info.isEmpty()) {
      m.replyTo().tell(new Reply.Lookup(null, 0, null,
          m.id() != null ? "no actor with id " + m.id() : "no actor named '" + m.name() + "'"));
      return this;
    }
    ActorInfo i = info.get();
    ActorRef<AgentCommand> agent = i.state() == io.troupe.runtime.api.ActorState.ALIVE ? agents.get(i.nodeId()) : null;
    m.replyTo().tell(new Reply.Lookup(i, service.incarnation(i.actorId()), agent, null));
    return this;
  }

  private Behavior<ControlCommand> onMember(MemberChanged m) {
    if (m.event() instanceof ClusterEvent.MemberRemoved removed) {
      NodeId node = byAddress.get(removed.member().address());
      if (node != null) {
        String reason = removed.previousStatus() == org.apache.pekko.cluster.MemberStatus.down()
            ? "unreachable; downed by the failure detector and split-brain resolver"
            : "left the cluster";
        service.nodeDead(node, reason);
        agents.remove(node);
      }
    }
    return this;
  }

  private final class Effects implements ControlEffects {
    @Override
    public void startActor(NodeId node, ActorSpec spec, int incarnation) {
      ActorRef<AgentCommand> a = agents.get(node);
      if (a != null) {
        a.tell(new AgentCommand.StartActor(spec, incarnation));
      }
    }

    @Override
    public void stopActor(NodeId node, ActorId id, int incarnation, String reason) {
      ActorRef<AgentCommand> a = agents.get(node);
      if (a != null) {
        a.tell(new AgentCommand.StopActor(id, incarnation, reason));
      }
    }

    @Override
    public void actorChanged(ActorInfo info, int incarnation) {
      ActorRef<AgentCommand> host = info.state() == io.troupe.runtime.api.ActorState.ALIVE
          ? agents.get(info.nodeId()) : null;
      AgentCommand.ActorUpdate u = new AgentCommand.ActorUpdate(info, incarnation, host);
      agents.values().forEach(a -> a.tell(u));
    }
  }
}
