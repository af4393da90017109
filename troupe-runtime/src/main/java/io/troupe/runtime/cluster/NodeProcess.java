package io.troupe.runtime.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.control.ControlStore;
import io.troupe.runtime.control.FileControlStore;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeServices;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeException;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.node.ActorHost;
import io.troupe.runtime.node.NodeAgent;
import io.troupe.runtime.protocol.AgentCommand;
import io.troupe.runtime.protocol.ControlCommand;
import io.troupe.runtime.resources.ResourceLedger;
import io.troupe.runtime.rest.RestServer;
import io.troupe.runtime.rest.StateApi;
import io.troupe.runtime.spi.NodeExtension;
import io.troupe.runtime.spi.NodeFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and owns one node: the Pekko actor system and cluster membership, the node agent, the call
 * router, the control-service singleton (head role) and the REST API (head). See {@link TroupeNode}.
 */
public final class NodeProcess implements TroupeNode {
  private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);
  static final String SYSTEM_NAME = "troupe";

  private final NodeConfig config;
  private final NodeId nodeId;
  private final ActorSystem<Void> system;
  private final ResourceSet total;
  private final AtomicReference<NodeAgent> agent = new AtomicReference<>();
  private volatile ClusterClient client;
  private volatile RestServer rest;
  private volatile io.troupe.runtime.rest.MetricsServer metricsServer;
  private final io.troupe.runtime.api.NodeMetrics metrics;
  /** The per-node objects of higher layers; closed after the extensions' attachments. */
  private final NodeServices nodeServices = new NodeServices();
  /** The config's extensions attached to this node, in config order; closed first, newest first. */
  private final List<NodeExtension.Attachment> attachments = new CopyOnWriteArrayList<>();
  private volatile String address;
  /** This node's log files (node.log, one per actor) and the JVM's appender writing them (empty off logback). */
  private final io.troupe.runtime.logs.NodeLogs logs;
  private final Optional<io.troupe.runtime.logs.LogFileAppender> logFiles;
  private volatile boolean advertised;
  private volatile org.apache.pekko.actor.Cancellable readvertise;
  /** How often a node checks that its metrics URL is still in the cluster's KV store. */
  static final Duration METRICS_READVERTISE = Duration.ofSeconds(5);

  /** The runtime's {@link NodeFactory}, found by {@link TroupeNode#start} with a ServiceLoader. */
  public static final class Factory implements NodeFactory {
    @Override
    public TroupeNode start(NodeConfig config) {
      return NodeProcess.start(config);
    }
  }

  private NodeProcess(NodeConfig config, NodeId nodeId, ActorSystem<Void> system, ResourceSet total) {
    this.config = config;
    this.nodeId = nodeId;
    this.system = system;
    this.total = total;
    this.metrics = io.troupe.runtime.api.NodeMetrics.create(nodeId);
    this.logs = io.troupe.runtime.logs.NodeLogs.forNode(nodeId);
    this.logFiles = io.troupe.runtime.logs.LogFileAppender.install();
    logFiles.ifPresent(a -> a.addNode(logs));
  }

  static {
    // Helidon logs through java.util.logging; send it to SLF4J like everything else.
    if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
      org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
      org.slf4j.bridge.SLF4JBridgeHandler.install();
    }
  }

  public static TroupeNode start(NodeConfig c) {
    validate(c);
    ResourceDetector.Detected detected = ResourceDetector.detect(c);
    if (c.port() != 0) {
      checkPortFree(c.host(), c.port(), "cluster port " + c.port() + " on " + c.host()
          + " is in use (another Troupe node? 'troupe stop' stops it, or pass --port)");
    }
    if (c.head() && c.dashboardPort() > 0) {
      checkPortFree(c.dashboardHost(), c.dashboardPort(), "dashboard port " + c.dashboardPort()
          + " is in use (pass --dashboard-port)");
    }
    if (!c.head()) {
      checkHeadAnswers(c.headAddress());
    }
    NodeId nodeId = new NodeId((c.head() ? "head-" : "node-") + ClusterClient.newId().substring(0, 10));
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, pekkoConfig(c));
    } catch (RuntimeException e) {
      throw new TroupeException("cannot start the cluster transport on " + c.host() + ":" + c.port() + ": "
          + root(e).getMessage());
    }
    NodeProcess node = new NodeProcess(c, nodeId, system, detected.total());
    try {
      node.boot(detected);
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e instanceof TroupeException t ? t : new TroupeException("node failed to start: " + root(e), e);
    }
  }

  /**
   * Brings the node up, one concern after the other: leftovers of earlier processes reaped, cluster joined, the
   * control-service singleton, the call router and this node's client, the node agent registered, the config's
   * extensions attached, the HTTP endpoints (head REST API, metrics) started. Throws with a one-line reason;
   * {@link #start} then closes whatever was started.
   */
  private void boot(ResourceDetector.Detected detected) {
    reapLeftoverProcesses();
    ControlStore store = config.head() && config.stateDir() != null ? new FileControlStore(config.stateDir())
        : ControlStore.inMemory();
    joinCluster(store);
    ActorRef<ControlCommand> control = startControlSingleton(store);
    CallRouter router = startCallRouter(control);
    client = new ClusterClient(system, control, router, nodeId, metrics, nodeServices);
    startAgent(detected, control, router);
    attachExtensions();
    startHttp();
    advertiseMetrics();
    log.info("node {} up at {} with {}{}{}", nodeId, address, detected.total(),
        rest != null ? "; REST API at " + dashboardUrl() : "", metricsServer != null ? "; metrics at " + metricsUrl() : "");
  }

  /**
   * Supervised processes of an earlier node process on this machine that died (by SIGKILL, say) stop themselves
   * through their watchdog; whatever survived that is killed here.
   */
  private static void reapLeftoverProcesses() {
    int reaped = io.troupe.runtime.process.ProcessReaper.reap(
        io.troupe.runtime.process.OsProcessLauncher.defaultDir().resolve("pids"));
    if (reaped > 0) {
      log.warn("reaped {} process group(s) left behind by earlier node processes", reaped);
    }
  }

  /** Joins the head (a worker) or forms/rejoins the cluster (a head), and waits until this member is up. */
  private void joinCluster(ControlStore store) {
    Cluster cluster = Cluster.get(system);
    var self = cluster.selfMember().address();
    address = self.host().get() + ":" + self.port().get();
    if (config.head()) {
      // A restarted head first tries the nodes its predecessor knew (they may still form the cluster);
      // as the first seed it forms a new cluster by itself when none of them answers.
      List<org.apache.pekko.actor.Address> seeds = new ArrayList<>();
      seeds.add(self);
      for (String known : store.loadNodeAddresses()) {
        if (!known.equals(address)) {
          seeds.add(AddressFromURIString.parse("pekko://" + SYSTEM_NAME + "@" + known));
        }
      }
      if (seeds.size() == 1) {
        cluster.manager().tell(Join.create(self));
      } else {
        log.info("rejoining the nodes a previous head knew: {}", seeds.subList(1, seeds.size()));
        cluster.manager().tell(new JoinSeedNodes(seeds));
      }
    } else {
      cluster.manager().tell(new JoinSeedNodes(List.of(
          AddressFromURIString.parse("pekko://" + SYSTEM_NAME + "@" + config.headAddress()))));
    }
    long deadline = System.nanoTime() + config.joinTimeout().toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new TroupeException(config.head() ? "the head could not form a cluster within " + config.joinTimeout()
            : "could not join the head at " + config.headAddress() + " within " + config.joinTimeout().toSeconds()
                + " s (is a Troupe head running there, with the same version?)");
      }
      parkMillis(20);
    }
  }

  /** The control service as a cluster singleton on the head role (a proxy to it on every node). */
  private ActorRef<ControlCommand> startControlSingleton(ControlStore store) {
    return ClusterSingleton.get(system).init(
        // A failure inside the control service restarts it (with back-off) instead of leaving the
        // cluster without one; it then recovers from its store and the agents re-register.
        SingletonActor.of(Behaviors.supervise(ControlServiceActor.create(store, config.failureDetection().plusSeconds(6)))
                .onFailure(org.apache.pekko.actor.typed.SupervisorStrategy.restartWithBackoff(
                    Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)), "control")
            .withSettings(ClusterSingletonSettings.create(system).withRole("head")));
  }

  /** Routes this node's actor calls: local hosts directly, others through their agents (looked up at the head). */
  private CallRouter startCallRouter(ActorRef<ControlCommand> control) {
    ActorRef<AgentCommand.InvokeReply>[] replyTo = new ActorRef[1];
    CallRouter router = new CallRouter(new CallRouter.Transport() {
      @Override
      public CompletionStage<ControlCommand.Reply.Lookup> lookup(ActorId id) {
        return AskPattern.ask(control, r -> new ControlCommand.LookupActor(id, null, r),
            ClusterClient.CONTROL_TIMEOUT, system.scheduler());
      }

      @Override
      public void send(ActorRef<AgentCommand> target, AgentCommand.Invoke invoke) {
        target.tell(invoke);
      }

      @Override
      public ActorRef<AgentCommand.InvokeReply> replyTo() {
        return replyTo[0];
      }

      @Override
      public NodeId localNode() {
        return nodeId;
      }

      @Override
      public Optional<ActorHost> localHost(ActorId id) {
        NodeAgent a = agent.get();
        return a == null ? Optional.empty() : a.host(id);
      }
    });
    replyTo[0] = system.systemActorOf(Behaviors.receive(AgentCommand.InvokeReply.class)
        .onMessage(AgentCommand.InvokeReply.class, r -> {
          router.onReply(r);
          return Behaviors.same();
        }).build(), "call-replies", Props.empty());
    system.scheduler().scheduleAtFixedRate(Duration.ofSeconds(1), Duration.ofSeconds(1), router::tick,
        system.executionContext());
    return router;
  }

  /** Starts the node agent (and the log service) and waits until the control service registered it. */
  private void startAgent(ResourceDetector.Detected detected, ActorRef<ControlCommand> control, CallRouter router) {
    CompletableFuture<Void> registered = new CompletableFuture<>();
    ResourceLedger ledger = new ResourceLedger(detected.total(), detected.gpuIds());
    ControlCommand.RegisterNode registration = new ControlCommand.RegisterNode(nodeId, address, config.head(),
        detected.labels(), detected.total(), detected.gpuIds(), detected.total(), java.util.Set.of(), List.of(), null);
    system.systemActorOf(NodeAgentActor.create(new NodeAgentActor.Setup(
        effects -> new NodeAgent(nodeId, ledger, effects, () -> client, actorLogs()), registration, control, router,
        agent::set, () -> registered.complete(null))), "agent", Props.empty());
    NodeGauges.register(metrics.registry(), agent::get, detected.total());
    system.systemActorOf(io.troupe.runtime.logs.LogService.create(logs), io.troupe.runtime.logs.LogService.NAME,
        Props.empty());
    try {
      registered.get(config.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new TroupeException("joined the cluster but the control service did not answer within "
          + config.joinTimeout().toSeconds() + " s (is the head healthy?)");
    }
  }

  /** The head's REST API (runtime routes and the extensions' routes) and this node's own metrics server. */
  private void startHttp() {
    if (config.head() && config.dashboardPort() != NodeConfig.NO_DASHBOARD) {
      List<Consumer<HttpRouting.Builder>> routes = new ArrayList<>();
      routes.add(new StateApi(client));
      routes.add(new io.troupe.runtime.rest.PlacementGroupApi(client));
      routes.add(new io.troupe.runtime.rest.MetricsRoute(metrics));
      routes.add(new io.troupe.runtime.rest.MetricsTargets(client));
      routes.add(new io.troupe.runtime.rest.LogsApi(client, new io.troupe.runtime.logs.LogsClient(system)));
      attachments.forEach(a -> routes.addAll(a.restRoutes()));
      rest = RestServer.start(config.dashboardHost(), config.dashboardPort(), config.dashboardToken(), routes);
    }
    if (config.metricsPort() != NodeConfig.NO_METRICS_SERVER) {
      metricsServer = io.troupe.runtime.rest.MetricsServer.start(config.host(), config.metricsPort(), metrics);
    }
  }

  /** Attaches the config's extensions in order; one that throws fails the start (close undoes the rest). */
  private void attachExtensions() {
    NodeExtension.Node node = new NodeExtension.Node(nodeId, config.head(), client);
    for (NodeExtension e : config.extensions()) {
      try {
        attachments.add(e.attach(node));
      } catch (RuntimeException ex) {
        throw new TroupeException("the " + e.name() + " extension failed to start on " + nodeId + ": "
            + (ex.getMessage() != null ? ex.getMessage() : ex.toString()), ex);
      }
    }
  }

  /**
   * Writes this node's metrics URL to the cluster's KV store (see {@link io.troupe.runtime.rest.MetricsTargets}),
   * and checks it every {@link #METRICS_READVERTISE} (one KV read), writing it again when it is gone: a head
   * restarted without a state dir starts with an empty store while its workers rejoin.
   */
  private void advertiseMetrics() {
    String url = metricsUrl();
    if (url == null) {
      return;
    }
    advertised = true;
    try {
      io.troupe.runtime.rest.MetricsTargets.advertise(client, nodeId, url).get(config.joinTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // the node still serves its metrics; only the cluster-wide listing lacks it until the next check
      log.warn("could not advertise this node's metrics URL {} in the cluster (retrying): {}", url, root(e).toString());
    }
    readvertise = system.scheduler().scheduleWithFixedDelay(METRICS_READVERTISE, METRICS_READVERTISE, () -> {
      if (!advertised) {
        return;
      }
      client.kvGet(io.troupe.runtime.rest.MetricsTargets.key(nodeId)).thenCompose(v -> v.isPresent() || !advertised
              ? CompletableFuture.<Void>completedFuture(null)
              : io.troupe.runtime.rest.MetricsTargets.advertise(client, nodeId, url))
          .whenComplete((v, e) -> {
            if (e != null) {
              log.debug("metrics URL check failed: {}", e.toString());
            }
          });
    }, system.executionContext());
  }

  private io.troupe.runtime.node.ActorLogs actorLogs() {
    if (logFiles.isEmpty()) {
      return io.troupe.runtime.node.ActorLogs.NONE;
    }
    return new io.troupe.runtime.node.ActorLogs() {
      @Override
      public java.nio.file.Path fileFor(ActorId id, String name) {
        return logs.actorFile(id, name);
      }

      @Override
      public void released(java.nio.file.Path file) {
        logFiles.get().release(file);
      }
    };
  }

  /** This node's log files. */
  public io.troupe.runtime.logs.NodeLogs logs() {
    return logs;
  }

  static Config pekkoConfig(NodeConfig c) {
    Map<String, Object> overrides = new java.util.HashMap<>(FailureDetection.pekkoSettings(c.failureDetection()));
    overrides.put("pekko.remote.artery.canonical.hostname", c.host());
    overrides.put("pekko.remote.artery.canonical.port", c.port());
    overrides.put("pekko.cluster.roles", c.head() ? List.of("head") : List.of("worker"));
    overrides.put("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes",
        c.joinTimeout().toMillis() + 5000 + "ms");
    return ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.parseResources(NodeProcess.class.getClassLoader(), "troupe.conf"))
        .withFallback(ConfigFactory.load(NodeProcess.class.getClassLoader()));
  }

  private static void validate(NodeConfig c) {
    if (!c.head() && (c.headAddress() == null || !c.headAddress().matches("[^:\\s]+:\\d{1,5}"))) {
      throw new TroupeException("a worker needs the head's address as HOST:PORT (e.g. --address 127.0.0.1:6380), got "
          + c.headAddress());
    }
    if (c.port() < 0 || c.port() > 65535) {
      throw new TroupeException("port must be 0..65535, got " + c.port());
    }
    if ((c.dashboardPort() < 0 && c.dashboardPort() != NodeConfig.NO_DASHBOARD) || c.dashboardPort() > 65535) {
      throw new TroupeException("dashboard port must be 0..65535, got " + c.dashboardPort());
    }
    if ((c.metricsPort() < 0 && c.metricsPort() != NodeConfig.NO_METRICS_SERVER) || c.metricsPort() > 65535) {
      throw new TroupeException("metrics port must be 0..65535, got " + c.metricsPort());
    }
  }

  private static void checkPortFree(String host, int port, String message) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new TroupeException(message);
    }
  }

  private static void checkHeadAnswers(String headAddress) {
    int colon = headAddress.lastIndexOf(':');
    String host = headAddress.substring(0, colon);
    int port = Integer.parseInt(headAddress.substring(colon + 1));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 3000);
    } catch (IOException e) {
      throw new TroupeException("no Troupe head answers at " + headAddress
          + "; start one with 'troupe start --head' or check --address");
    }
  }

  private static Throwable root(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static void parkMillis(long ms) {
    java.util.concurrent.locks.LockSupport.parkNanos(ms * 1_000_000L);
  }

  @Override
  public NodeId nodeId() {
    return nodeId;
  }

  @Override
  public boolean isHead() {
    return config.head();
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public String dashboardUrl() {
    RestServer r = rest;
    return r == null ? null : "http://" + config.dashboardHost() + ":" + r.port();
  }

  @Override
  public io.troupe.runtime.api.NodeMetrics metrics() {
    return metrics;
  }

  @Override
  public String metricsUrl() {
    io.troupe.runtime.rest.MetricsServer m = metricsServer;
    if (m != null) {
      return "http://" + config.host() + ":" + m.port() + "/metrics";
    }
    String dashboard = dashboardUrl();
    return dashboard == null ? null : dashboard + "/metrics";
  }

  @Override
  public ResourceSet resources() {
    return total;
  }

  @Override
  public Troupe client() {
    return client;
  }

  /** This node's agent (for tests and higher layers in this JVM). */
  public Optional<NodeAgent> agent() {
    return Optional.ofNullable(agent.get());
  }

  public ActorSystem<Void> system() {
    return system;
  }

  @Override
  public CompletionStage<Void> whenTerminated() {
    return system.getWhenTerminated().thenApply(d -> null);
  }

  @Override
  public void close() {
    List<NodeExtension.Attachment> attached = new ArrayList<>(attachments);
    attachments.clear();
    for (int i = attached.size() - 1; i >= 0; i--) {
      try {
        attached.get(i).close();
      } catch (RuntimeException e) {
        log.warn("a node extension failed to close: {}", e.toString());
      }
    }
    nodeServices.close();
    if (advertised) {
      advertised = false;
      org.apache.pekko.actor.Cancellable c = readvertise;
      if (c != null) {
        c.cancel();
      }
      try {
        io.troupe.runtime.rest.MetricsTargets.withdraw(client, nodeId).get(3, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("could not withdraw this node's metrics URL: {}", e.toString());
      }
    }
    RestServer r = rest;
    rest = null;
    if (r != null) {
      try {
        r.close();
      } catch (RuntimeException ignored) {
        // closing anyway
      }
    }
    io.troupe.runtime.rest.MetricsServer m = metricsServer;
    metricsServer = null;
    if (m != null) {
      try {
        m.close();
      } catch (RuntimeException ignored) {
        // closing anyway
      }
    }
    NodeAgent a = agent.get();
    if (a != null) {
      a.stopAll("node shutting down");
    }
    try {
      Cluster cluster = Cluster.get(system);
      if (cluster.selfMember().status() == MemberStatus.up()) {
        cluster.manager().tell(Leave.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cluster.selfMember().status() != MemberStatus.removed() && System.nanoTime() < deadline
            && !cluster.isTerminated()) {
          parkMillis(20);
        }
      }
    } catch (RuntimeException ignored) {
      // terminating anyway
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort
    }
    metrics.close();
    logFiles.ifPresent(appender -> appender.removeNode(logs));
  }
}
