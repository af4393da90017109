package io.troupe.serve.cluster;

import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.controller.RoutingTable;
import io.troupe.serve.controller.ServeController;
import io.troupe.serve.controller.ServeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a {@link ServeController} in the head JVM: one daemon thread owns it, calls
 * {@link ServeController#update()} every {@code tickPeriod} (Ray: 0.1 s) and runs commands
 * ({@link #submit}) between ticks. After every tick and command it publishes an immutable
 * {@link Snapshot} (status and routing tables) that the proxy and the REST API read without
 * touching the controller, and hands it to listeners (the proxy's routers) on this thread.
 *
 * <p>Deliberately simple: a scheduled executor, not a Pekko cluster singleton, so a head restart
 * loses the controller's state (the checkpoint lives in memory; see {@link TroupeClusterOps}).
 * Time inside the controller comes from the {@link java.time.InstantSource} it was built with.
 */
public final class ServeControllerLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ServeControllerLoop.class.getName());

  /** What the controller looked like after its latest tick or command. Immutable. */
  public record Snapshot(ServeStatus status, Map<DeploymentId, RoutingTable> routingTables) {
    public static final Snapshot EMPTY = new Snapshot(new ServeStatus(Map.of()), Map.of());
  }

  private final ServeController controller;
  private final ScheduledExecutorService thread;
  private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  public ServeControllerLoop(ServeController controller, Duration tickPeriod) {
    this.controller = controller;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-controller");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::tick, 0, tickPeriod.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      controller.update();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "serve controller tick failed", e);
    }
    publish();
  }

  private void publish() {
    try {
      Snapshot s = new Snapshot(controller.status(), Map.copyOf(controller.routingTables()));
      snapshot = s;
      for (Consumer<Snapshot> l : listeners) {
        l.accept(s);
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "publishing the serve snapshot failed", e);
    }
  }

  /** Runs {@code command} on the controller's thread between ticks, then publishes a snapshot. */
  public <T> CompletableFuture<T> submit(Function<ServeController, T> command) {
    CompletableFuture<T> f = new CompletableFuture<>();
    thread.execute(() -> {
      try {
        f.complete(command.apply(controller));
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
      publish();
    });
    return f;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** {@code listener} gets every new snapshot, on the controller's thread; it must not block. */
  public void addListener(Consumer<Snapshot> listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
