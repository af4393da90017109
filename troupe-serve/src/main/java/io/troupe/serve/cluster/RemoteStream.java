package io.troupe.serve.cluster;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.serve.api.DeploymentCallException;
import io.troupe.serve.api.ResponseStream;
import io.troupe.serve.api.ServeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller side of a stream a replica opened ({@link StreamRef}): pulls batches with
 * {@code ReplicaActor.nextChunks} (a long poll of up to {@link #PULL_WAIT_MILLIS}) whenever its
 * local buffer is empty, so at most one batch is in flight and the replica's bounded buffer gives
 * back-pressure. Used by {@link io.troupe.serve.api.DeploymentHandle#stream} and by the HTTP proxy.
 * Not thread-safe: one consumer.
 */
public final class RemoteStream<R> implements ResponseStream<R> {
  static final int PULL_MAX = 64;
  static final long PULL_WAIT_MILLIS = 1000;

  private final ActorHandle<ReplicaActor> replica;
  private final StreamRef ref;
  private final Duration pullTimeout;
  private final Runnable onDone;
  private final ArrayDeque<Object> buffer = new ArrayDeque<>();
  private boolean done;
  private boolean finished;
  private RuntimeException failure;

  /**
   * @param pullTimeout how long one pull may take beyond its long-poll wait before the stream fails
   * @param onDone run once when the stream ends, fails or is closed
   */
  public RemoteStream(ActorHandle<ReplicaActor> replica, StreamRef ref, Duration pullTimeout, Runnable onDone) {
    this.replica = replica;
    this.ref = ref;
    this.pullTimeout = pullTimeout;
    this.onDone = onDone;
  }

  public StreamRef ref() {
    return ref;
  }

  /** Chunks already received and not yet consumed (the proxy flushes when this reaches 0). */
  public int buffered() {
    return buffer.size();
  }

  @Override
  public boolean hasNext() {
    while (buffer.isEmpty() && !done) {
      pull();
    }
    if (buffer.isEmpty() && failure != null) {
      throw failure;
    }
    return !buffer.isEmpty();
  }

  @Override
  @SuppressWarnings("unchecked")
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException("stream " + ref.streamId() + " of " + ref.replica() + " ended");
    }
    return (R) buffer.poll();
  }

  private void pull() {
    ChunkBatch b;
    try {
      b = replica.call(ReplicaActor::nextChunks, ref.streamId(), PULL_MAX, PULL_WAIT_MILLIS)
          .get(PULL_WAIT_MILLIS + pullTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort(new ServeException("interrupted while reading stream " + ref.streamId() + " of " + ref.replica()));
      return;
    } catch (TimeoutException e) {
      abort(new ServeException("stream " + ref.streamId() + " of " + ref.replica() + " did not answer a pull within "
          + pullTimeout.toMillis() + " ms"));
      return;
    } catch (ExecutionException e) {
      fail(new ServeException("stream " + ref.streamId() + " of " + ref.replica() + " broke: "
          + TroupeClusterOps.describe(e), e.getCause()));
      return;
    }
    buffer.addAll(b.chunks());
    if (b.done()) {
      if (b.errorId() != null) {
        fail(new DeploymentCallException(ref.replica(), b.errorId(), b.error()));
      } else {
        finish();
      }
    }
  }

  private void abort(RuntimeException e) {
    replica.call(ReplicaActor::cancelStream, ref.streamId());
    fail(e);
  }

  private void fail(RuntimeException e) {
    failure = e;
    finish();
  }

  private void finish() {
    done = true;
    if (!finished) {
      finished = true;
      onDone.run();
    }
  }

  /** Cancels the producer when the stream has not ended; idempotent. */
  @Override
  public void close() {
    if (!done) {
      replica.call(ReplicaActor::cancelStream, ref.streamId());
    }
    buffer.clear();
    done = true;
    finish();
  }
}
