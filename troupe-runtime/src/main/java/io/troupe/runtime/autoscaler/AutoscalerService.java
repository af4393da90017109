package io.troupe.runtime.autoscaler;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.autoscaler.spi.NodeProvider;
import io.troupe.runtime.rest.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link ClusterAutoscaler} on the head: every {@code update_interval_s} it reads the cluster's nodes,
 * pending and infeasible actor demands and placement groups waiting for room ({@link #demands}), ticks the
 * autoscaler and writes its {@link AutoscalerStatus} to the control service's KV store
 * ({@link AutoscalerStatus#KV_KEY}), where {@code GET /api/autoscaler} and {@code troupe status} read it.
 * Closing it terminates every node it launched (the cluster goes down with its head).
 *
 * <p><b>Threading.</b> One daemon thread owns the autoscaler; provider calls run on virtual threads.
 */
public final class AutoscalerService implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AutoscalerService.class.getName());

  private final Troupe troupe;
  private final ClusterAutoscaler autoscaler;
  private final NodeProvider provider;
  private final ScheduledExecutorService timer;
  private final ExecutorService launcher = Executors.newVirtualThreadPerTaskExecutor();
  private volatile AutoscalerStatus last;

  public AutoscalerService(Troupe troupe, String headAddress, ClusterConfig config, NodeProvider provider) {
    this.troupe = troupe;
    this.provider = provider;
    this.autoscaler = new ClusterAutoscaler(config, provider, headAddress, Clock.systemUTC(), launcher,
        () -> "l-" + UUID.randomUUID().toString().substring(0, 8));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cluster-autoscaler");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::step, 0, config.updateInterval().toMillis(), TimeUnit.MILLISECONDS);
    LOG.log(System.Logger.Level.INFO, "cluster autoscaler started (" + config.provider().type() + " provider, "
        + config.workerTypes().keySet() + ", max_workers " + config.maxWorkers() + ")");
  }

  private void step() {
    try {
      ClusterStatus status = troupe.status().get(10, TimeUnit.SECONDS);
      List<PlacementGroupInfo> groups = troupe.placementGroups().get(10, TimeUnit.SECONDS);
      autoscaler.tick(status.nodes(), demands(status, groups));
      AutoscalerStatus s = autoscaler.status();
      last = s;
      troupe.kvPut(AutoscalerStatus.KV_KEY, Json.MAPPER.writeValueAsBytes(s));
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "cluster autoscaler step failed; retrying next interval: " + e);
    }
  }

  /**
   * The demand the autoscaler may add nodes for: groups PENDING (all their bundles) or RESCHEDULING (their lost
   * bundles), and actors waiting outside any group (pending or infeasible), one demand per actor.
   */
  public static List<Demand> demands(ClusterStatus status, List<PlacementGroupInfo> groups) {
    List<Demand> out = new ArrayList<>();
    for (PlacementGroupInfo g : groups) {
      String name = "placement group " + g.name().orElse(g.id().value());
      if (g.state() == PlacementGroupState.PENDING) {
        out.add(new Demand(name, g.bundles().stream().map(PlacementGroupInfo.BundleInfo::bundle).toList(),
            g.strategy()));
      } else if (g.state() == PlacementGroupState.RESCHEDULING) {
        List<Bundle> lost = g.bundles().stream().filter(b -> b.node().isEmpty())
            .map(PlacementGroupInfo.BundleInfo::bundle).toList();
        if (!lost.isEmpty()) {
          out.add(new Demand(name + " (lost bundles)", lost, g.strategy()));
        }
      }
    }
    List<ClusterStatus.Demand> actors = new ArrayList<>(status.pendingDemands());
    actors.addAll(status.infeasibleDemands());
    for (ClusterStatus.Demand d : actors) {
      if (d.placementGroup() != null || d.resources().isEmpty()) {
        continue;
      }
      for (int i = 0; i < d.count(); i++) {
        out.add(Demand.actor("actor", new Bundle(d.resources(), d.labelSelector())));
      }
    }
    return out;
  }

  /** The latest status (null before the first step). */
  public AutoscalerStatus status() {
    return last;
  }

  /** Stops deciding and terminates every node it launched. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    autoscaler.terminateAll();
    provider.close();
    launcher.shutdownNow();
    try {
      troupe.kvDelete(AutoscalerStatus.KV_KEY).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "removing the autoscaler status failed", e);
    }
  }
}
