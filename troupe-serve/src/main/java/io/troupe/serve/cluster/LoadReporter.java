package io.troupe.serve.cluster;

import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.metrics.ServeMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node's autoscaling load reporter: every {@link #SAMPLE_MS} it reads the node's serving meters
 * ({@link ServeMetrics#queuedNow()}, {@link ServeMetrics#executingNow()}) and the routing tables its
 * {@link RoutesClient} caches, steps a {@link LoadSampler}, and hands any report due to {@code sink}: on the head
 * straight to the controller loop, elsewhere to the {@link RoutesActor} on the head. A failed send is dropped
 * (the next interval reports again; a node that stays silent drops out of the controller's window).
 *
 * <p><b>Threading.</b> One daemon timer thread; the sink must not block long.
 */
public final class LoadReporter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LoadReporter.class.getName());
  static final long SAMPLE_MS = 100;

  private final Troupe troupe;
  private final RoutesClient routes;
  private final LoadSampler sampler;
  private final Consumer<LoadReport> sink;
  private final ScheduledExecutorService timer;

  public LoadReporter(Troupe troupe, Consumer<LoadReport> sink) {
    this.troupe = troupe;
    this.routes = RoutesClient.forTroupe(troupe);
    this.sampler = new LoadSampler(troupe.nodeId().value());
    this.sink = sink;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-load-reporter");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::step, SAMPLE_MS, SAMPLE_MS, TimeUnit.MILLISECONDS);
  }

  /** Reports to the {@link RoutesActor} on the head (a node other than the head). */
  public static LoadReporter toHead(Troupe troupe) {
    RoutesActorLink link = new RoutesActorLink(troupe);
    return new LoadReporter(troupe, link::send);
  }

  private void step() {
    try {
      routes.refreshIfStale();
      Map<DeploymentId, LoadSampler.Known> known = new HashMap<>();
      routes.cached().ifPresent(s -> s.routes().forEach((key, route) -> {
        if (route.metricsIntervalMs() > 0) {
          LoadSampler.parseDeployment(key).ifPresent(d -> known.put(d,
              new LoadSampler.Known(route.metricsIntervalMs(), !route.replicas().isEmpty())));
        }
      }));
      if (known.isEmpty()) {
        return;
      }
      ServeMetrics m = ServeMetrics.of(troupe.metrics());
      sampler.sample(System.nanoTime(), known, m.queuedNow(), m.executingNow()).ifPresent(sink);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "load report step failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** Sends reports to the routes actor, looking it up again after a failure. */
  private static final class RoutesActorLink {
    private final Troupe troupe;
    private volatile io.troupe.runtime.api.ActorHandle<RoutesActor> actor;

    RoutesActorLink(Troupe troupe) {
      this.troupe = troupe;
    }

    void send(LoadReport r) {
      try {
        io.troupe.runtime.api.ActorHandle<RoutesActor> h = actor;
        if (h == null) {
          h = troupe.getActor(RoutesActor.NAME, RoutesActor.class).orElse(null);
          if (h == null) {
            return;
          }
          actor = h;
        }
        h.call(RoutesActor::report, r).whenComplete((ok, e) -> {
          if (e != null) {
            actor = null;
            LOG.log(System.Logger.Level.DEBUG, "sending a load report failed; the next one retries", e);
          }
        });
      } catch (RuntimeException e) {
        actor = null;
        LOG.log(System.Logger.Level.DEBUG, "sending a load report failed", e);
      }
    }
  }
}
