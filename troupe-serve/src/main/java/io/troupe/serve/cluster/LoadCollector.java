package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.controller.ServeController;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * On the head: moves autoscaling load into the controller. Every {@link #PERIOD_MS} it drains the other nodes'
 * reports from the {@link RoutesActor}'s inbox, and it runs the head's own {@link LoadReporter}, whose
 * reports go straight to the controller loop. Each sample is stamped with its arrival on the head.
 *
 * <p><b>Threading.</b> One daemon timer thread plus the head's reporter thread; both only submit to the
 * {@link ServeControllerLoop}.
 */
public final class LoadCollector implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LoadCollector.class.getName());
  static final long PERIOD_MS = 100;

  private final Troupe troupe;
  private final ServeControllerLoop loop;
  private final ScheduledExecutorService timer;
  private final LoadReporter local;
  private volatile ActorHandle<RoutesActor> actor;

  public LoadCollector(Troupe troupe, ServeControllerLoop loop) {
    this.troupe = troupe;
    this.loop = loop;
    this.local = new LoadReporter(troupe, r -> submit(System.currentTimeMillis(), r));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-load-collector");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::drain, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  private void drain() {
    try {
      ActorHandle<RoutesActor> h = actor;
      if (h == null) {
        h = troupe.getActor(RoutesActor.NAME, RoutesActor.class).orElse(null);
        if (h == null) {
          return;
        }
        actor = h;
      }
      List<LoadReport.Received> got = h.call(RoutesActor::takeReports).get(5, TimeUnit.SECONDS);
      for (LoadReport.Received r : got) {
        submit(r.atMillis(), r.report());
      }
    } catch (Exception e) {
      actor = null;
      LOG.log(System.Logger.Level.DEBUG, "draining load reports failed; retrying", e);
    }
  }

  private void submit(long atMillis, LoadReport report) {
    Instant at = Instant.ofEpochMilli(atMillis);
    loop.submitQuietly((ServeController c) -> {
      for (LoadReport.Entry e : report.entries()) {
        LoadSampler.parseDeployment(e.deployment()).ifPresent(d -> c.recordLoad(d, e.reporter(), at,
            e.ongoingRequests()));
      }
    });
  }

  @Override
  public void close() {
    timer.shutdownNow();
    local.close();
  }
}
