package io.troupe.runtime.autoscaler;

import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.autoscaler.spi.NodeLaunch;
import io.troupe.runtime.autoscaler.spi.NodeLaunchException;
import io.troupe.runtime.autoscaler.spi.NodeProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The cluster autoscaler's reconciler (Ray's {@code StandardAutoscaler}): each {@link #tick} compares the nodes
 * it launched with the cluster and the pending demand, then launches nodes (for {@code min_workers} and for what
 * {@link BinPacking#plan} says the demand needs) and terminates nodes idle past {@code idle_timeout_minutes}
 * while more than {@code min_workers} of their type run.
 *
 * <p>A launch goes LAUNCHING (the provider works) → WAITING (started; the node has not joined) → RUNNING (a live
 * node carries its {@value NodeLaunch#LAUNCH_ID_LABEL} label) → TERMINATING. A launch that fails, or whose node
 * does not join within {@code launch_timeout_s}, is recorded with its reason; its type is retried after a back-off
 * that doubles from {@link #BACKOFF_BASE} up to {@link #BACKOFF_MAX}. A node that is idle (everything free) has
 * nothing to drain, so it is terminated through the provider at once.
 *
 * <p><b>Threading.</b> One owner thread calls {@link #tick} and {@link #status}; provider calls run on the
 * {@code launcher} executor and hand their results back through a queue the next tick applies. Time comes from
 * the injected clock. <b>Authority:</b> the launch records here (not persisted: a restarted head forgets the nodes
 * its predecessor launched; they stay in the cluster as ordinary nodes).
 */
public final class ClusterAutoscaler {
  private static final System.Logger LOG = System.getLogger(ClusterAutoscaler.class.getName());
  static final Duration BACKOFF_BASE = Duration.ofSeconds(1);
  static final Duration BACKOFF_MAX = Duration.ofMinutes(5);
  static final int FAILURES_KEPT = 20;

  enum State { LAUNCHING, WAITING, RUNNING, TERMINATING }

  private static final class Launch {
    final NodeLaunch spec;
    final Instant since;
    State state = State.LAUNCHING;
    Instant stateSince;
    String providerId;
    String nodeId;
    Instant idleSince;

    Launch(NodeLaunch spec, Instant now) {
      this.spec = spec;
      this.since = now;
      this.stateSince = now;
    }

    String type() {
      return spec.nodeType();
    }
  }

  /** A provider call's outcome, applied on the owner thread. */
  private record Done(String launchId, boolean launch, String providerId, String error) {
  }

  private final ClusterConfig config;
  private final NodeProvider provider;
  private final String headAddress;
  private final InstantSource clock;
  private final Executor launcher;
  private final Supplier<String> ids;
  private final Map<String, Launch> launches = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
  private final Map<String, Integer> failuresInARow = new HashMap<>();
  private final Map<String, Instant> retryAt = new HashMap<>();
  private final ArrayDeque<AutoscalerStatus.Failure> failures = new ArrayDeque<>();
  private BinPacking.Plan lastPlan = new BinPacking.Plan(Map.of(), List.of(), List.of());

  public ClusterAutoscaler(ClusterConfig config, NodeProvider provider, String headAddress, InstantSource clock,
      Executor launcher, Supplier<String> launchIds) {
    this.config = config;
    this.provider = provider;
    this.headAddress = headAddress;
    this.clock = clock;
    this.launcher = launcher;
    this.ids = launchIds;
  }

  /** One decision over the cluster's nodes and its pending demand; never throws. */
  public void tick(List<NodeInfo> nodes, List<Demand> demands) {
    Instant now = clock.instant();
    try {
      applyDone(now);
      Map<String, NodeInfo> byLaunch = new HashMap<>();
      for (NodeInfo n : nodes) {
        String id = n.labels().get(NodeLaunch.LAUNCH_ID_LABEL);
        if (id != null && NodeInfo.ALIVE.equals(n.state())) {
          byLaunch.put(id, n);
        }
      }
      track(now, byLaunch);
      Map<String, Integer> running = countByType();
      Map<String, NodeType> types = config.workerTypes();
      // min_workers first
      for (NodeType t : types.values()) {
        int missing = t.minWorkers() - running.getOrDefault(t.name(), 0);
        for (int i = 0; i < missing && total(running) < config.maxWorkers(); i++) {
          if (launch(t, now)) {
            running.merge(t.name(), 1, Integer::sum);
          }
        }
      }
      List<NodeCapacity> capacity = new ArrayList<>();
      for (NodeInfo n : nodes) {
        if (NodeInfo.ALIVE.equals(n.state())) {
          capacity.add(new NodeCapacity(n.nodeId().value(),
              Optional.ofNullable(n.labels().get(NodeLaunch.NODE_TYPE_LABEL)), n.resourcesTotal(),
              n.resourcesAvailable(), n.labels()));
        }
      }
      for (Launch l : launches.values()) {
        if (l.state == State.LAUNCHING || l.state == State.WAITING) {
          capacity.add(new NodeCapacity(l.spec.launchId(), Optional.of(l.type()), l.spec.resources(),
              l.spec.resources(), l.spec.labels()));
        }
      }
      lastPlan = BinPacking.plan(demands, capacity, types, running, config.maxWorkers());
      lastPlan.launches().forEach((type, n) -> {
        for (int i = 0; i < n; i++) {
          launch(types.get(type), now);
        }
      });
      terminateIdle(now, byLaunch);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cluster autoscaler tick failed", e);
    }
  }

  private void applyDone(Instant now) {
    Done d;
    while ((d = done.poll()) != null) {
      Launch l = launches.get(d.launchId());
      if (l == null) {
        continue;
      }
      if (d.launch()) {
        if (d.error() == null) {
          l.providerId = d.providerId();
          if (l.state == State.LAUNCHING) {
            l.state = State.WAITING;
            l.stateSince = now;
          }
        } else {
          launches.remove(d.launchId());
          failed(l.type(), "launch", d.error(), now);
        }
      } else if (d.error() == null) {
        launches.remove(d.launchId());
      } else {
        failed(l.type(), "terminate " + (l.providerId != null ? l.providerId : l.spec.launchId()), d.error(), now);
        launches.remove(d.launchId());
      }
    }
  }

  /** Moves launches along as their nodes join, die or fail to appear. */
  private void track(Instant now, Map<String, NodeInfo> byLaunch) {
    for (Launch l : List.copyOf(launches.values())) {
      NodeInfo n = byLaunch.get(l.spec.launchId());
      switch (l.state) {
        case LAUNCHING, WAITING -> {
          if (n != null) {
            l.state = State.RUNNING;
            l.stateSince = now;
            l.nodeId = n.nodeId().value();
            failuresInARow.remove(l.type());
          } else if (l.state == State.WAITING) {
            Optional<String> died = Optional.empty();
            try {
              died = provider.failure(l.providerId);
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.DEBUG, "provider failure check failed", e);
            }
            if (died.isPresent()) {
              launches.remove(l.spec.launchId());
              failed(l.type(), "launch", died.get(), now);
            } else if (!now.isBefore(l.stateSince.plus(config.provider().launchTimeout()))) {
              failed(l.type(), "launch", "the node did not join the cluster within "
                  + config.provider().launchTimeout().toSeconds() + " s (provider.launch_timeout_s); terminated", now);
              terminate(l);
            }
          }
        }
        case RUNNING -> {
          if (n == null) {
            LOG.log(System.Logger.Level.INFO, "autoscaled node " + l.nodeId + " (" + l.type() + ") left the cluster");
            terminate(l); // make sure the machine is gone too
          }
        }
        case TERMINATING -> { }
      }
    }
  }

  private void terminateIdle(Instant now, Map<String, NodeInfo> byLaunch) {
    Map<String, Integer> alive = new HashMap<>();
    for (Launch l : launches.values()) {
      if (l.state != State.TERMINATING) {
        alive.merge(l.type(), 1, Integer::sum);
      }
    }
    for (Launch l : List.copyOf(launches.values())) {
      if (l.state != State.RUNNING) {
        continue;
      }
      NodeInfo n = byLaunch.get(l.spec.launchId());
      boolean idle = n != null && n.resourcesAvailable().equals(n.resourcesTotal());
      if (!idle) {
        l.idleSince = null;
        continue;
      }
      if (l.idleSince == null) {
        l.idleSince = now;
      }
      NodeType t = config.nodeTypes().get(l.type());
      int min = t == null ? 0 : t.minWorkers();
      if (!now.isBefore(l.idleSince.plus(config.idleTimeout())) && alive.getOrDefault(l.type(), 0) > min) {
        LOG.log(System.Logger.Level.INFO, "terminating idle node " + l.nodeId + " (" + l.type() + "), idle for "
            + Duration.between(l.idleSince, now).toSeconds() + " s");
        alive.merge(l.type(), -1, Integer::sum);
        terminate(l);
      }
    }
  }

  private boolean launch(NodeType t, Instant now) {
    Instant retry = retryAt.get(t.name());
    if (retry != null && now.isBefore(retry)) {
      return false;
    }
    String id = ids.get();
    Map<String, String> labels = new LinkedHashMap<>(t.labels());
    labels.put(NodeLaunch.NODE_TYPE_LABEL, t.name());
    labels.put(NodeLaunch.LAUNCH_ID_LABEL, id);
    NodeLaunch spec = new NodeLaunch(id, t.name(), t.resources(), labels, headAddress, config.provider().env());
    Launch l = new Launch(spec, now);
    launches.put(id, l);
    LOG.log(System.Logger.Level.INFO, "launching a " + t.name() + " node (" + id + ")");
    launcher.execute(() -> {
      try {
        done.add(new Done(id, true, provider.launch(spec), null));
      } catch (NodeLaunchException e) {
        done.add(new Done(id, true, null, e.getMessage()));
      } catch (RuntimeException e) {
        done.add(new Done(id, true, null, e.toString()));
      }
    });
    return true;
  }

  private void terminate(Launch l) {
    if (l.state == State.TERMINATING) {
      return;
    }
    l.state = State.TERMINATING;
    l.stateSince = clock.instant();
    if (l.providerId == null) {
      launches.remove(l.spec.launchId()); // never started
      return;
    }
    String pid = l.providerId;
    launcher.execute(() -> {
      try {
        provider.terminate(pid, l.spec);
        done.add(new Done(l.spec.launchId(), false, pid, null));
      } catch (NodeLaunchException e) {
        done.add(new Done(l.spec.launchId(), false, pid, e.getMessage()));
      } catch (RuntimeException e) {
        done.add(new Done(l.spec.launchId(), false, pid, e.toString()));
      }
    });
  }

  private void failed(String type, String what, String reason, Instant now) {
    int n = failuresInARow.merge(type, 1, Integer::sum);
    Duration backoff = BACKOFF_BASE.multipliedBy(1L << Math.min(20, n - 1));
    if (backoff.compareTo(BACKOFF_MAX) > 0) {
      backoff = BACKOFF_MAX;
    }
    retryAt.put(type, now.plus(backoff));
    LOG.log(System.Logger.Level.WARNING, what + " of a " + type + " node failed (attempt " + n + ", retrying in "
        + backoff.toSeconds() + " s): " + reason);
    failures.addLast(new AutoscalerStatus.Failure(type, what, reason, now.toEpochMilli(), n,
        backoff.toMillis() / 1000.0));
    while (failures.size() > FAILURES_KEPT) {
      failures.removeFirst();
    }
  }

  private Map<String, Integer> countByType() {
    Map<String, Integer> out = new HashMap<>();
    for (Launch l : launches.values()) {
      if (l.state != State.TERMINATING) {
        out.merge(l.type(), 1, Integer::sum);
      }
    }
    return out;
  }

  private static int total(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** What it is doing now. */
  public AutoscalerStatus status() {
    Instant now = clock.instant();
    List<AutoscalerStatus.Node> nodes = new ArrayList<>();
    for (Launch l : launches.values()) {
      String state = l.state == State.RUNNING && l.idleSince != null ? "IDLE" : l.state.name();
      nodes.add(new AutoscalerStatus.Node(l.spec.launchId(), l.type(), state, l.nodeId, l.providerId,
          Duration.between(l.stateSince, now).toMillis() / 1000.0,
          l.idleSince == null ? 0 : Duration.between(l.idleSince, now).toMillis() / 1000.0));
    }
    return new AutoscalerStatus(config.clusterName(), config.provider().type(), now.toEpochMilli(), nodes,
        List.copyOf(failures),
        lastPlan.infeasible().stream().map(u -> new AutoscalerStatus.Unmet(u.demand().toString(), u.reason())).toList(),
        lastPlan.atLimit().stream().map(u -> new AutoscalerStatus.Unmet(u.demand().toString(), u.reason())).toList());
  }

  /** Terminates every node it launched (the cluster goes down); blocking, best effort. */
  public void terminateAll() {
    for (Launch l : List.copyOf(launches.values())) {
      if (l.providerId != null) {
        try {
          provider.terminate(l.providerId, l.spec);
        } catch (NodeLaunchException | RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "terminating " + l.providerId + " failed: " + e.getMessage());
        }
      }
    }
    launches.clear();
  }

  /** Launches not yet joined or being terminated, per type (for tests). */
  int launching() {
    return (int) launches.values().stream().filter(l -> l.state == State.LAUNCHING || l.state == State.WAITING).count();
  }
}
