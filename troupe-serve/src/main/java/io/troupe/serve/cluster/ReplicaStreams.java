package io.troupe.serve.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replica side of streaming responses. Each stream a user method returned becomes a session: a
 * virtual thread drains the user's iterator into a bounded buffer ({@link #BUFFER} chunks; the
 * producer blocks when the caller falls behind — back-pressure), and the caller pulls whatever is
 * there with {@link #next} (a long poll: it returns as soon as one chunk is available, so chunks
 * travel as they are produced, batched only when they pile up). A session nobody pulled for
 * {@link #IDLE_DEADLINE} is cancelled (the caller went away): its producer thread is interrupted and
 * the user's stream closed.
 *
 * <p><b>Threading.</b> Thread-safe: sessions live in a concurrent map; one producer thread and one
 * consumer (the caller's pulls, which arrive one at a time) per session. The producer thread
 * inherits the replica's actor context. <b>Authority:</b> this replica's open streams.
 */
final class ReplicaStreams {
  private static final System.Logger LOG = System.getLogger(ReplicaStreams.class.getName());
  static final int BUFFER = 64;
  static final Duration IDLE_DEADLINE = Duration.ofSeconds(30);
  private static final Object END = new Object();

  private record Failure(String errorId, String error) {
  }

  private static final class Session {
    final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BUFFER);
    volatile long lastPull = System.nanoTime();
    volatile boolean cancelled;
    volatile Thread producer;

    boolean idle() {
      return System.nanoTime() - lastPull > IDLE_DEADLINE.toNanos();
    }
  }

  private final String replicaId;
  private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  ReplicaStreams(String replicaId) {
    this.replicaId = replicaId;
  }

  /**
   * Starts producing {@code chunks}; {@code onClose} (the user's Stream, may be null) is closed and
   * {@code onFinish} run once the producer stops for any reason. Returns the session id.
   */
  long open(Iterator<?> chunks, AutoCloseable onClose, Runnable onFinish) {
    sessions.values().removeIf(s -> s.idle() && s.producer != null && !s.producer.isAlive());
    long id = ids.incrementAndGet();
    Session s = new Session();
    sessions.put(id, s);
    // the producer runs the user's iterator: its log lines go to the replica's file with the request's id
    java.util.Map<String, String> mdc = org.slf4j.MDC.getCopyOfContextMap();
    s.producer = Thread.ofVirtual().name("serve-stream-" + replicaId + "-" + id).start(() -> {
      if (mdc != null) {
        org.slf4j.MDC.setContextMap(mdc);
      }
      try {
        while (!s.cancelled && chunks.hasNext()) {
          put(id, s, chunks.next());
        }
        put(id, s, END);
      } catch (InterruptedException | java.util.concurrent.CancellationException e) {
        s.cancelled = true;
      } catch (Throwable t) {
        if (!s.cancelled) {
          String errorId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
          LOG.log(System.Logger.Level.WARNING, "replica " + replicaId + ": stream " + id + " failed, error id "
              + errorId, t);
          try {
            put(id, s, new Failure(errorId, t.getClass().getName() + (t.getMessage() == null ? "" : ": "
                + t.getMessage())));
          } catch (InterruptedException | RuntimeException ignored) {
            s.cancelled = true;
          }
        }
      } finally {
        if (onClose != null) {
          try {
            onClose.close();
          } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing stream " + id + " failed", e);
          }
        }
        if (s.cancelled) {
          sessions.remove(id);
        }
        onFinish.run();
      }
    });
    return id;
  }

  /** Waits for the buffer to have room; gives up when the session was cancelled or nobody pulls. */
  private void put(long id, Session s, Object chunk) throws InterruptedException {
    while (!s.queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
      if (s.cancelled || s.idle()) {
        if (!s.cancelled) {
          LOG.log(System.Logger.Level.INFO, "replica " + replicaId + ": stream " + id + " not pulled for "
              + IDLE_DEADLINE.toSeconds() + " s; cancelling it");
        }
        s.cancelled = true;
        throw new java.util.concurrent.CancellationException();
      }
    }
  }

  /** Up to {@code max} chunks, waiting up to {@code waitMillis} for the first one. */
  ChunkBatch next(long id, int max, long waitMillis) throws InterruptedException {
    Session s = sessions.get(id);
    if (s == null) {
      return new ChunkBatch(List.of(), true, "unknown-stream", "replica " + replicaId + " has no stream " + id
          + " (cancelled, or not pulled for " + IDLE_DEADLINE.toSeconds() + " s)");
    }
    s.lastPull = System.nanoTime();
    Object first = s.queue.poll(waitMillis, TimeUnit.MILLISECONDS);
    s.lastPull = System.nanoTime();
    if (first == null) {
      return new ChunkBatch(List.of(), false, null, null);
    }
    List<Object> raw = new ArrayList<>();
    raw.add(first);
    s.queue.drainTo(raw, Math.max(0, max - 1));
    List<Object> chunks = new ArrayList<>(raw.size());
    for (Object o : raw) {
      if (o == END) {
        sessions.remove(id);
        return new ChunkBatch(chunks, true, null, null);
      }
      if (o instanceof Failure f) {
        sessions.remove(id);
        return new ChunkBatch(chunks, true, f.errorId(), f.error());
      }
      chunks.add(o);
    }
    return new ChunkBatch(chunks, false, null, null);
  }

  /** Stops a stream the caller no longer wants. */
  boolean cancel(long id) {
    Session s = sessions.remove(id);
    if (s == null) {
      return false;
    }
    s.cancelled = true;
    Thread t = s.producer;
    if (t != null) {
      t.interrupt();
    }
    return true;
  }

  /** Cancels every open stream (the replica is stopping); returns how many were open. */
  int cancelAll() {
    int n = 0;
    for (Long id : List.copyOf(sessions.keySet())) {
      if (cancel(id)) {
        n++;
      }
    }
    return n;
  }

  int open() {
    return sessions.size();
  }
}
