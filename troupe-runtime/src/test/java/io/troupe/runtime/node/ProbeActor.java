package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Test actor for {@link ActorHost}: records calls in its {@link HostProbe}. */
public class ProbeActor implements AutoCloseable {
  private final HostProbe probe;

  public ProbeActor(HostProbe probe) {
    this.probe = probe;
  }

  /** Records {@code tag}; also checks that no other call runs at the same time as this one. */
  public String record(String tag) {
    probe.enter();
    try {
      probe.log.add(tag);
      return tag;
    } finally {
      probe.exit();
    }
  }

  /** Blocks until the probe's gate opens (at most 10 s). */
  public String blocking(String tag) throws InterruptedException {
    probe.enter();
    try {
      if (!probe.gate.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
      probe.log.add(tag);
      return tag;
    } finally {
      probe.exit();
    }
  }

  /** Returns the probe's pending stage: the call holds its slot until the test completes it. */
  public CompletionStage<String> async() {
    probe.log.add("async-returned");
    return probe.pending;
  }

  public CompletableFuture<String> failedAsync() {
    return CompletableFuture.failedFuture(new IllegalArgumentException("async failure"));
  }

  public String whoAmI() {
    return ActorContext.current().map(c -> c.actorId().value()).orElse("none");
  }

  public void fail() {
    throw new UnsupportedOperationException("nope");
  }

  @Override
  public void close() {
    probe.closed.countDown();
  }
}
