package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.logs.LogFileAppender;
import java.nio.file.Path;
import org.slf4j.MDC;
import io.troupe.runtime.resources.Allocation;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * One live actor instance on this node and its mailbox. Calls start in arrival order, at most
 * {@code maxConcurrency} at a time, each on a virtual thread with the actor's {@link ActorContext}.
 * A method returning a {@link CompletionStage} keeps its slot until the stage completes.
 *
 * <p>Thread-safe: submissions come from the node agent and the local call path; the queue is guarded
 * by this object's monitor.
 */
public final class ActorHost {
  private static final Executor VIRTUAL = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("troupe-actor-", 0).factory());

  private final ActorId id;
  private final int incarnation;
  private final Allocation allocation;
  private final ActorContext context;
  private final int maxConcurrency;
  private final Queue<Call> queue = new ArrayDeque<>();

  private record Call(String method, Object[] args, CompletableFuture<Object> result) {}
  private int running;
  private volatile Object instance;
  private volatile boolean stopped;

  private final boolean inGroup;
  /** The file this actor's code logs to (MDC {@link LogFileAppender#FILE_KEY} around every call); null for none. */
  private final Path logFile;

  ActorHost(ActorId id, int incarnation, Allocation allocation, ActorContext context, int maxConcurrency,
      boolean inGroup) {
    this(id, incarnation, allocation, context, maxConcurrency, inGroup, null);
  }

  ActorHost(ActorId id, int incarnation, Allocation allocation, ActorContext context, int maxConcurrency,
      boolean inGroup, Path logFile) {
    this.inGroup = inGroup;
    this.logFile = logFile;
    this.id = id;
    this.incarnation = incarnation;
    this.allocation = allocation;
    this.context = context;
    this.maxConcurrency = maxConcurrency;
  }

  public ActorId id() {
    return id;
  }

  public int incarnation() {
    return incarnation;
  }

  Path logFile() {
    return logFile;
  }

  /** Puts this actor's log file and id into the MDC of the calling thread (a fresh virtual thread per call). */
  private void enterMdc() {
    MDC.put(LogFileAppender.ACTOR_KEY, id.value());
    if (logFile != null) {
      MDC.put(LogFileAppender.FILE_KEY, logFile.toString());
    }
  }

  boolean inGroup() {
    return inGroup;
  }

  public ActorContext context() {
    return context;
  }

  Allocation allocation() {
    return allocation;
  }

  String key() {
    return id.value() + "#" + incarnation;
  }

  boolean isStopped() {
    return stopped;
  }

  /** Constructs the instance on a virtual thread; completes with it or with the constructor's error. */
  CompletableFuture<Object> construct(String className, Object[] args) {
    CompletableFuture<Object> done = new CompletableFuture<>();
    VIRTUAL.execute(() -> {
      ActorContext previous = ActorContext.ContextHolder.swap(context);
      enterMdc();
      try {
        Class<?> type = Class.forName(className, true, contextLoader());
        instance = MethodInvoker.construct(type, args);
        if (stopped) {
          closeInstance(); // stopped while constructing: nothing will ever call it
        }
        done.complete(instance);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      } finally {
        ActorContext.ContextHolder.swap(previous);
        MDC.clear();
      }
    });
    return done;
  }

  private static ClassLoader contextLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : ActorHost.class.getClassLoader();
  }

  /** Queues a method call; the future completes with its result or the exception it threw. */
  public CompletableFuture<Object> invoke(String method, Object[] args) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Call task = new Call(method, args, result);
    synchronized (this) {
      if (stopped) {
        result.completeExceptionally(new IllegalStateException("actor " + id + " stopped"));
        return result;
      }
      queue.add(task);
    }
    drain();
    return result;
  }

  private void run(String method, Object[] args, CompletableFuture<Object> result) {
    ActorContext previous = ActorContext.ContextHolder.swap(context);
    enterMdc();
    try {
      Object value = MethodInvoker.invoke(instance, method, args);
      if (value instanceof CompletionStage<?> stage) {
        stage.whenComplete((v, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(v);
          }
          finished();
        });
        return;
      }
      result.complete(value);
    } catch (Throwable t) {
      result.completeExceptionally(t);
    } finally {
      ActorContext.ContextHolder.swap(previous);
      MDC.clear();
    }
    finished();
  }

  private void finished() {
    synchronized (this) {
      running--;
    }
    drain();
  }

  private void drain() {
    while (true) {
      Call next;
      synchronized (this) {
        if (running >= maxConcurrency || queue.isEmpty()) {
          return;
        }
        next = queue.poll();
        running++;
      }
      VIRTUAL.execute(() -> run(next.method(), next.args(), next.result()));
    }
  }

  /** Stops accepting calls; queued calls fail. Calls {@code close()} if the instance is AutoCloseable. */
  void stop(String reason) {
    Queue<Call> dropped;
    synchronized (this) {
      stopped = true;
      dropped = new ArrayDeque<>(queue);
      queue.clear();
    }
    dropped.forEach(c -> c.result().completeExceptionally(
        new IllegalStateException("actor " + id + " stopped before the call ran: " + reason)));
    closeInstance();
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private void closeInstance() {
    if (instance instanceof AutoCloseable c && closed.compareAndSet(false, true)) {
      VIRTUAL.execute(() -> {
        try {
          c.close();
        } catch (Exception ignored) {
          // best effort on stop
        }
      });
    }
  }
}
