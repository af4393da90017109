package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.node.ActorHost;
import io.troupe.runtime.node.AgentEffects;
import io.troupe.runtime.node.NodeAgent;
import io.troupe.runtime.protocol.AgentCommand;
import io.troupe.runtime.protocol.ControlCommand;
import io.troupe.runtime.protocol.PayloadCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import io.troupe.runtime.placement.HeldBundle;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Pekko shell of the {@link NodeAgent}: registers the node with the control service (and again
 * until acknowledged), reports resources, starts and stops actors, runs incoming calls on hosted
 * actors, and hands actor state changes to the node's {@link CallRouter}.
 */
final class NodeAgentActor extends AbstractBehavior<AgentCommand> {
  private record RegisterTick() implements AgentCommand.Local {}

  private record ReportTick() implements AgentCommand.Local {}

  private record Constructed(ActorId id, int incarnation, Throwable error) implements AgentCommand.Local {}

  private record FlushReport() implements AgentCommand.Local {}

  private record FlushStarts() implements AgentCommand.Local {}

  /** Reports are coalesced for this long, so a burst of changes sends one report. */
  private static final Duration REPORT_COALESCING = Duration.ofMillis(20);

  /** Everything the agent needs from its node. */
  record Setup(NodeAgent.Factory agentFactory, ControlCommand.RegisterNode registration,
      ActorRef<ControlCommand> control, CallRouter router, Consumer<NodeAgent> onAgent, Runnable onRegistered) {}

  private final NodeAgent agent;
  private final Setup setup;
  private boolean registered;

  static Behavior<AgentCommand> create(Setup setup) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new RegisterTick(), Duration.ZERO, Duration.ofSeconds(1));
      timers.startTimerWithFixedDelay(new ReportTick(), Duration.ofSeconds(2));
      return new NodeAgentActor(ctx, setup, timers);
    }));
  }

  private final org.apache.pekko.actor.typed.javadsl.TimerScheduler<AgentCommand> timers;
  /** A change since the last report: the next flush sends one (computed then, once per burst). */
  private boolean reportDue;
  /**
   * Starts confirmed since the last flush; sent together after one report at the end of the current
   * burst of messages (a self-message queued behind it), not one report per started actor.
   */
  private final List<ControlCommand.ActorStarted> pendingStarts = new java.util.ArrayList<>();

  private NodeAgentActor(ActorContext<AgentCommand> ctx, Setup setup,
      org.apache.pekko.actor.typed.javadsl.TimerScheduler<AgentCommand> timers) {
    super(ctx);
    this.timers = timers;
    this.setup = setup;
    ActorRef<ControlCommand> control = setup.control();
    var nodeId = setup.registration().nodeId();
    this.agent = setup.agentFactory().create(new AgentEffects() {
      @Override
      public void reportDue() {
        if (!reportDue) {
          reportDue = true;
          timers.startSingleTimer(new FlushReport(), REPORT_COALESCING);
        }
      }

      @Override
      public void report(ResourceSet available, ResourceSet usedOutsideGroups, Set<String> hosted,
          List<HeldBundle> bundles) {
        control.tell(new ControlCommand.ResourceReport(nodeId, available, usedOutsideGroups, hosted, bundles,
            ctx.getSelf()));
      }

      @Override
      public void actorStarted(ActorId id, int incarnation) {
        pendingStarts.add(new ControlCommand.ActorStarted(id, incarnation, nodeId));
        if (pendingStarts.size() == 1) {
          ctx.getSelf().tell(new FlushStarts());
        }
      }

      @Override
      public void actorStartFailed(ActorId id, int incarnation, boolean noResources, String error) {
        flushReport();
        control.tell(new ControlCommand.ActorStartFailed(id, incarnation, nodeId, noResources, error));
      }
    });
    setup.onAgent().accept(agent);
  }

  @Override
  public Receive<AgentCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(RegisterTick.class, m -> {
          if (!registered) {
            var r = setup.registration();
            setup.control().tell(new ControlCommand.RegisterNode(r.nodeId(), r.address(), r.head(), r.labels(),
                r.total(), r.gpuIds(), agent.ledger().available(), agent.hostedKeys(), agent.heldBundles(),
                getContext().getSelf()));
          }
          return this;
        })
        .onMessage(AgentCommand.Registered.class, m -> {
          if (!registered) {
            registered = true;
            setup.onRegistered().run();
          }
          return this;
        })
        .onMessage(FlushReport.class, m -> {
          flushReport();
          return this;
        })
        .onMessage(FlushStarts.class, m -> {
          flushReport(); // the control service expects the report before the starts
          pendingStarts.forEach(setup.control()::tell);
          pendingStarts.clear();
          return this;
        })
        .onMessage(AgentCommand.ReRegister.class, m -> {
          registered = false; // the next RegisterTick registers again
          return this;
        })
        .onMessage(ReportTick.class, m -> {
          agent.report();
          return this;
        })
        .onMessage(AgentCommand.PrepareBundle.class, m -> {
          m.replyTo().tell(new AgentCommand.BundleAck(agent.prepareBundle(m.reservation())));
          return this;
        })
        .onMessage(AgentCommand.CommitBundle.class, m -> {
          m.replyTo().tell(new AgentCommand.BundleAck(agent.commitBundle(m.reservation())));
          return this;
        })
        .onMessage(AgentCommand.CancelBundle.class, m -> {
          m.replyTo().tell(new AgentCommand.BundleAck(agent.cancelBundle(m.reservation())));
          return this;
        })
        .onMessage(AgentCommand.StartActor.class, this::onStart)
        .onMessage(Constructed.class, m -> {
          agent.constructed(m.id(), m.incarnation(), m.error());
          return this;
        })
        .onMessage(AgentCommand.StopActor.class, m -> {
          agent.stopActor(m.id(), m.incarnation(), m.reason());
          return this;
        })
        .onMessage(AgentCommand.Invoke.class, this::onInvoke)
        .onMessage(AgentCommand.ActorUpdate.class, m -> {
          setup.router().onUpdate(m.info(), m.incarnation(), m.agent());
          return this;
        })
        .build();
  }

  private void flushReport() {
    if (reportDue) {
      reportDue = false;
      agent.report();
    }
  }

  private Behavior<AgentCommand> onStart(AgentCommand.StartActor m) {
    Optional<CompletableFuture<Object>> construction = agent.startActor(m.spec(), m.incarnation(), m.group(),
        m.bundleIndex(), m.epoch());
    construction.ifPresent(f -> getContext().pipeToSelf(f,
        (v, err) -> new Constructed(m.spec().id(), m.incarnation(), err)));
    return this;
  }

  private Behavior<AgentCommand> onInvoke(AgentCommand.Invoke m) {
    Optional<ActorHost> host = agent.host(m.id());
    if (host.isEmpty() || host.get().incarnation() != m.incarnation()) {
      m.replyTo().tell(new AgentCommand.InvokeReply(m.callId(), null, null, null, null, true));
      return this;
    }
    String fenced = Fencing.check(m.callerGroup(), m.callerEpoch(), host.get().context());
    if (fenced != null) {
      m.replyTo().tell(new AgentCommand.InvokeReply(m.callId(), null, Fencing.EXCEPTION, fenced, "", false));
      return this;
    }
    Object[] args;
    try {
      args = (Object[]) PayloadCodec.decode(m.args());
    } catch (RuntimeException e) {
      m.replyTo().tell(error(m.callId(), e));
      return this;
    }
    host.get().invoke(m.method(), args == null ? new Object[0] : args).whenComplete((v, err) -> {
      if (err != null) {
        m.replyTo().tell(error(m.callId(), err));
        return;
      }
      try {
        m.replyTo().tell(new AgentCommand.InvokeReply(m.callId(), PayloadCodec.encode(v), null, null, null, false));
      } catch (RuntimeException e) {
        m.replyTo().tell(error(m.callId(), e));
      }
    });
    return this;
  }

  private static AgentCommand.InvokeReply error(long callId, Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return new AgentCommand.InvokeReply(callId, null, t.getClass().getName(), t.getMessage(), sw.toString(), false);
  }

}
