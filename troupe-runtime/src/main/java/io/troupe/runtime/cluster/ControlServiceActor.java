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
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.control.ControlStore;
import io.troupe.runtime.control.GroupPlacer;
import io.troupe.runtime.control.HeadRecovery;
import io.troupe.runtime.control.KvTable;
import io.troupe.runtime.placement.HeldBundle;
import io.troupe.runtime.placement.ActorPlacement;
import io.troupe.runtime.placement.BundleAgentClient;
import io.troupe.runtime.placement.BundleReply;
import io.troupe.runtime.placement.BundleReservation;
import io.troupe.runtime.placement.GangMember;
import io.troupe.runtime.placement.PlacementConfig;
import io.troupe.runtime.placement.PlacementGroupListener;
import io.troupe.runtime.placement.PlacementGroupManager;
import io.troupe.runtime.placement.PlacementGroupStore;
import io.troupe.runtime.resources.Allocation;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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

  private record RunOnOwner(Runnable task) implements ControlCommand.Local {}

  private record GroupStop(PlacementGroupId group, List<ActorId> actors, String reason) implements ControlCommand.Local {}

  private record GangRecreate(PlacementGroupId group, long epoch, List<GangMember> members)
      implements ControlCommand.Local {}

  private record GroupTick() implements ControlCommand.Local {}

  private final ControlStore store;
  /** The key-value store, loaded from the control store at start. */
  private final KvTable kv;
  private final Map<NodeId, List<HeldBundle>> heldByNode = new HashMap<>();
  /** A restarted head's wait for the nodes its predecessor knew (commands deferred meanwhile). */
  private final HeadRecovery<ControlCommand> recovery;

  private final Map<NodeId, ActorRef<AgentCommand>> agents = new HashMap<>();
  /** Nodes already handled as dead (downed, then removed: handled once). */
  private final java.util.Set<NodeId> deadNodes = new java.util.HashSet<>();
  private final Map<Address, NodeId> byAddress = new HashMap<>();
  private final ControlService service;
  private final PlacementGroupManager groups;

  static Behavior<ControlCommand> create() {
    return create(ControlStore.inMemory(), Duration.ZERO);
  }

  /**
   * @param store durable control state; when it holds a previous head's state, the service first
   *     waits up to {@code recoveryGrace} for node agents to re-register, then recovers
   */
  static Behavior<ControlCommand> create(ControlStore store, Duration recoveryGrace) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), Duration.ofSeconds(1));
      timers.startTimerWithFixedDelay(new GroupTick(), Duration.ofMillis(200));
      ActorRef<ClusterEvent.MemberEvent> adapter = ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new);
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.MemberEvent.class));
      return new ControlServiceActor(ctx, store, recoveryGrace);
    }));
  }

  private ControlServiceActor(ActorContext<ControlCommand> ctx, ControlStore store, Duration recoveryGrace) {
    super(ctx);
    this.store = store;
    this.service = new ControlService(new Effects(), new ActorSchedulingPolicy(RandomGenerator.getDefault()));
    ActorRef<ControlCommand> self = ctx.getSelf();
    this.groups = new PlacementGroupManager(PlacementConfig.DEFAULTS, new Agents(ctx.getSystem()),
        store.groups(), new Listener(self), InstantSource.system(), RandomGenerator.getDefault(),
        task -> self.tell(new RunOnOwner(task)));
    service.setGroupPlacer(new Placer());
    service.setStore(store);
    this.kv = KvTable.of(store);
    boolean previous = store.hasState();
    this.recovery = new HeadRecovery<>(InstantSource.system(), previous,
        previous ? store.loadNodeAddresses() : java.util.Set.of(), hostPort(ctx.getSystem().address()), recoveryGrace);
    if (previous) {
      ctx.getLog().info("control state of a previous head found: waiting up to {} for nodes to re-register",
          recoveryGrace);
    }
    ctx.getLog().info("control service started on {}", ctx.getSystem().address());
  }

  @Override
  public Receive<ControlCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(ControlCommand.class, m -> recovery.recovering() && deferrable(m), m -> {
          recovery.defer(m);
          return this;
        })
        .onMessage(ControlCommand.RegisterNode.class, this::onRegister)
        .onMessage(ControlCommand.ResourceReport.class, m -> {
          if (!agents.containsKey(m.nodeId()) && m.agent() != null) {
            m.agent().tell(new AgentCommand.ReRegister()); // e.g. this head restarted
            return this;
          }
          service.resourceReport(m.nodeId(), m.available(), m.hosted());
          if (agents.containsKey(m.nodeId())) {
            groups.onNodeUsage(m.nodeId(), m.usedOutsideGroups());
          }
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
        .onMessage(ControlCommand.FailActor.class, m -> {
          service.actorFailed(m.id(), m.incarnation(), m.cause());
          m.replyTo().tell(new Reply.Ack(null));
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
        .onMessage(ControlCommand.KvPut.class, m -> {
          try {
            kv.put(m.key(), m.value());
            m.replyTo().tell(new Reply.Ack(null));
          } catch (RuntimeException e) {
            m.replyTo().tell(new Reply.Ack(e.getMessage()));
          }
          return this;
        })
        .onMessage(ControlCommand.KvGet.class, m -> {
          m.replyTo().tell(new Reply.KvValue(kv.get(m.key()).orElse(null)));
          return this;
        })
        .onMessage(ControlCommand.KvKeys.class, m -> {
          m.replyTo().tell(new Reply.KvKeyList(kv.keys(m.prefix())));
          return this;
        })
        .onMessage(RunOnOwner.class, m -> {
          m.task().run();
          return this;
        })
        .onMessage(GroupTick.class, m -> {
          groups.tick(Instant.now());
          return this;
        })
        .onMessage(GroupStop.class, m -> {
          PlacementGroupState st = groups.info(m.group()).map(PlacementGroupInfo::state)
              .orElse(PlacementGroupState.REMOVED);
          boolean restarting = st != PlacementGroupState.REMOVED && st != PlacementGroupState.FAILED;
          service.groupStoppedActors(m.actors(), m.reason(), restarting);
          return this;
        })
        .onMessage(GangRecreate.class, m -> {
          for (GangMember g : m.members()) {
            service.recreateGangMember(g.actor(), g.node(), g.bundleIndex(), m.epoch(), g.allocation());
          }
          return this;
        })
        .onMessage(ControlCommand.CreateGroup.class, m -> {
          try {
            PlacementGroupId id = groups.create(m.spec());
            groups.tick(Instant.now());
            m.replyTo().tell(new Reply.GroupCreated(id, null));
          } catch (RuntimeException e) {
            m.replyTo().tell(new Reply.GroupCreated(null, e.getMessage()));
          }
          return this;
        })
        .onMessage(ControlCommand.RemoveGroup.class, m -> {
          if (groups.info(m.id()).isEmpty()) {
            m.replyTo().tell(new Reply.Ack("no placement group " + m.id()));
          } else {
            groups.remove(m.id());
            m.replyTo().tell(new Reply.Ack(null));
          }
          return this;
        })
        .onMessage(ControlCommand.GetGroup.class, m -> {
          Optional<PlacementGroupInfo> i = m.id() != null ? groups.info(m.id()) : groups.byName(m.name());
          m.replyTo().tell(new Reply.Group(i.orElse(null), i.isPresent() ? null
              : "no placement group " + (m.id() != null ? m.id() : "named '" + m.name() + "'")));
          return this;
        })
        .onMessage(ControlCommand.ListGroups.class, m -> {
          m.replyTo().tell(new Reply.Groups(groups.list()));
          return this;
        })
        .onMessage(ControlCommand.WaitGroupReady.class, m -> {
          if (groups.info(m.id()).isEmpty()) {
            m.replyTo().tell(new Reply.Group(null, "no placement group " + m.id()));
            return this;
          }
          groups.ready(m.id(), Duration.ofMillis(m.timeoutMillis())).whenComplete((info, err) ->
              m.replyTo().tell(err == null ? new Reply.Group(info, null)
                  : new Reply.Group(null, err instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                      ? c.getCause().getMessage() : err.getMessage())));
          return this;
        })
        .onMessage(Tick.class, m -> {
          if (recovery.graceOver()) {
            finishRecovery();
          }
          service.tick();
          return this;
        })
        .build();
  }

  private static boolean deferrable(ControlCommand m) {
    return m instanceof ControlCommand.CreateActor || m instanceof ControlCommand.LookupActor
        || m instanceof ControlCommand.KillActor || m instanceof ControlCommand.FailActor
        || m instanceof ControlCommand.CreateGroup
        || m instanceof ControlCommand.RemoveGroup || m instanceof ControlCommand.GetGroup
        || m instanceof ControlCommand.ListGroups || m instanceof ControlCommand.WaitGroupReady;
  }

  /** Every known node re-registered, or the grace period passed: take the persisted state back. */
  private void finishRecovery() {
    List<ControlCommand> replay = recovery.finish();
    try {
      groups.recover(store.groups().loadAll(), new HashMap<>(heldByNode));
      service.recover(store.loadActors());
    } catch (RuntimeException e) {
      getContext().getLog().error("recovery of the control state failed", e);
    }
    getContext().getLog().info("control state recovered; {} nodes re-registered", heldByNode.size());
    replay.forEach(getContext().getSelf()::tell);
  }

  private Behavior<ControlCommand> onRegister(ControlCommand.RegisterNode m) {
    heldByNode.put(m.nodeId(), m.bundles());
    agents.put(m.nodeId(), m.agent());
    byAddress.put(m.agent().path().address(), m.nodeId());
    service.registerNode(m.nodeId(), m.address(), m.head(), m.labels(), m.total(), m.gpuIds(), m.available(),
        m.hosted());
    groups.onNodeAdded(m.nodeId(), m.total(), m.labels());
    if (!recovery.recovering()) {
      groups.reconcileNode(m.nodeId(), m.bundles());
    }
    m.agent().tell(new AgentCommand.Registered(m.nodeId()));
    saveNodeAddresses();
    if (recovery.onRegistered(registeredAddresses())) {
      finishRecovery();
    }
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
    // Downed is final (a downed node never rejoins with the same incarnation), so its actors and
    // bundles are rescheduled at once rather than after the leader also removed it.
    boolean downed = m.event() instanceof ClusterEvent.MemberDowned;
    if (downed || m.event() instanceof ClusterEvent.MemberRemoved) {
      ClusterEvent.MemberEvent event = m.event();
      NodeId node = byAddress.get(event.member().address());
      if (node != null && deadNodes.add(node)) {
        String reason = downed || ((ClusterEvent.MemberRemoved) event).previousStatus()
            == org.apache.pekko.cluster.MemberStatus.down()
            ? "unreachable; downed by the failure detector and split-brain resolver"
            : "left the cluster";
        agents.remove(node);
        // A restarted head waits for the nodes it knew; one that is gone already must not hold it up.
        saveNodeAddresses();
        groups.onNodeDead(node);
        service.nodeDead(node, reason);
      }
    }
    return this;
  }

  /** Persists the addresses of the nodes registered now (the seeds a restarted head rejoins). */
  private void saveNodeAddresses() {
    try {
      store.saveNodeAddresses(agents.values().stream().map(this::hostPort)
          .collect(java.util.stream.Collectors.toSet()));
    } catch (RuntimeException e) {
      getContext().getLog().warn("cannot persist node addresses: {}", e.getMessage());
    }
  }

  private java.util.Set<String> registeredAddresses() {
    java.util.Set<String> now = new java.util.HashSet<>();
    agents.values().forEach(a -> now.add(hostPort(a)));
    return now;
  }

  /** {@code host:port} of the node an agent lives on (the local one has no host in its path). */
  private String hostPort(ActorRef<?> agent) {
    Address ad = agent.path().address();
    return hostPort(ad.host().isEmpty() ? getContext().getSystem().address() : ad);
  }

  private static String hostPort(Address ad) {
    return ad.host().get() + ":" + ad.port().get();
  }

  private final class Effects implements ControlEffects {
    @Override
    public void startActor(NodeId node, ActorSpec spec, int incarnation, GroupPlacer.BundleTarget bundle, long epoch,
        Allocation allocation) {
      ActorRef<AgentCommand> a = agents.get(node);
      if (a != null) {
        a.tell(bundle == null ? new AgentCommand.StartActor(spec, incarnation)
            : new AgentCommand.StartActor(spec, incarnation, bundle.group(), bundle.index(), epoch, allocation));
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

  /** Bundle two-phase commit over Pekko asks to node agents; failures count as refusals. */
  private final class Agents implements BundleAgentClient {
    private final org.apache.pekko.actor.typed.ActorSystem<?> system;

    Agents(org.apache.pekko.actor.typed.ActorSystem<?> system) {
      this.system = system;
    }

    private CompletionStage<BundleReply> ask(NodeId node,
        java.util.function.Function<ActorRef<AgentCommand.BundleAck>, AgentCommand> msg) {
      ActorRef<AgentCommand> a = agents.get(node);
      if (a == null) {
        return CompletableFuture.completedFuture(new BundleReply.Rejected("node " + node + " is not alive"));
      }
      return AskPattern.<AgentCommand, AgentCommand.BundleAck>ask(a, msg::apply, Duration.ofSeconds(10),
          system.scheduler()).thenApply(AgentCommand.BundleAck::reply);
    }

    @Override
    public CompletionStage<BundleReply> prepare(NodeId node, BundleReservation r) {
      return ask(node, rt -> new AgentCommand.PrepareBundle(r, rt));
    }

    @Override
    public CompletionStage<BundleReply> commit(NodeId node, BundleReservation r) {
      return ask(node, rt -> new AgentCommand.CommitBundle(r, rt));
    }

    @Override
    public CompletionStage<BundleReply> cancel(NodeId node, BundleReservation r) {
      return ask(node, rt -> new AgentCommand.CancelBundle(r, rt));
    }
  }

  /** Manager callbacks, deferred to this actor's next messages (never re-entering the manager). */
  private record Listener(ActorRef<ControlCommand> self) implements PlacementGroupListener {
    @Override
    public void stopActors(PlacementGroupId group, List<ActorId> actors, String reason) {
      self.tell(new GroupStop(group, List.copyOf(actors), reason));
    }

    @Override
    public void recreateGang(PlacementGroupId group, long epoch, List<GangMember> members) {
      self.tell(new GangRecreate(group, epoch, List.copyOf(members)));
    }

    @Override
    public void stateChanged(PlacementGroupId group, PlacementGroupState state, String reason) {
      if (state == PlacementGroupState.CREATED) {
        self.tell(new Tick());
      }
    }
  }

  /** The control service's view of the manager. */
  private final class Placer implements GroupPlacer {
    @Override
    public ActorPlacement place(ActorId actor, PlacementGroupId group, OptionalInt bundle, ResourceSet demand,
        ActorSpec spec) {
      return groups.placeActor(actor, group, bundle, demand, spec);
    }

    @Override
    public BundleTarget physical(PlacementGroupId group, int index) {
      Map.Entry<PlacementGroupId, Integer> root = groups.rootBundle(group, index);
      return new BundleTarget(root.getKey(), root.getValue());
    }

    @Override
    public boolean isGang(PlacementGroupId group) {
      return groups.isGang(group);
    }

    @Override
    public void actorDied(ActorId actor, String cause) {
      groups.onActorDied(actor, cause);
    }

    @Override
    public void actorRemoved(ActorId actor) {
      groups.onActorRemoved(actor);
    }

    @Override
    public void ownerDead(String owner) {
      groups.onOwnerDead(owner);
    }
  }
}
