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
import java.util.function.Supplier;

/**
 * Runs a {@link ServeController} in the head JVM: one daemon thread owns it, calls
 * {@link ServeController#update()} every {@code tickPeriod} (Ray: 0.1 s) and runs commands
 * ({@link #submit}) between ticks. After every tick and command it publishes an immutable
 * {@link Snapshot} (status and routing tables) that the proxy and the REST API read without
 * touching the controller, and hands it to listeners (the proxy's routers) on this thread.
 *
 * <p>Deliberately simple: a scheduled executor on the head, not a Pekko cluster singleton. The
 * controller's state survives a head restart through its checkpoint in the control service's KV
 * store ({@link TroupeClusterOps#saveCheckpoint}, {@link ControllerRestorer}), which the head
 * persists with {@code --state-dir}. Time inside the controller comes from the
 * {@link java.time.InstantSource} it was built with.
 */
public final class ServeControllerLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ServeControllerLoop.class.getName());

  /** What the controller looked like after its latest tick or command. Immutable. */
  public record Snapshot(ServeStatus status, Map<DeploymentId, RoutingTable> routingTables) {
    public static final Snapshot EMPTY = new Snapshot(new ServeStatus(Map.of()), Map.of());
  }

  private ServeController controller;
  private final ScheduledExecutorService thread;
  private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile boolean restored;

  public ServeControllerLoop(ServeController controller, Duration tickPeriod) {
    this(() -> controller, tickPeriod);
  }

  /**
   * A loop whose controller {@code boot} builds on the loop's thread first (a restarted head restores
   * its checkpoint there, which may wait for the runtime's own recovery). Until it returns, commands
   * queue behind it, {@link #restored()} is false and no snapshot is published, so proxies and the
   * routes actor keep what they had instead of seeing an empty controller. {@code boot} must not
   * throw.
   */
  public ServeControllerLoop(Supplier<ServeController> boot, Duration tickPeriod) {
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-controller");
      t.setDaemon(true);
      return t;
    });
    thread.execute(() -> {
      controller = boot.get();
      restored = true;
    });
    thread.scheduleWithFixedDelay(this::tick, 0, tickPeriod.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** False while the controller is being restored (see the constructor). */
  public boolean restored() {
    return restored;
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

  /**
   * Runs {@code command} on the controller's thread between ticks without publishing a snapshot: for inputs
   * that change no status or routing table (autoscaling load), which the next tick publishes anyway.
   */
  public void submitQuietly(Consumer<ServeController> command) {
    thread.execute(() -> {
      try {
        command.accept(controller);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a serve controller command failed", e);
      }
    });
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
