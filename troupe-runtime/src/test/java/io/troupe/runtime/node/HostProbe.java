package io.troupe.runtime.node;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared state between a test and its {@link ProbeActor}: what ran, in which order, how many at once. */
public final class HostProbe {
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final AtomicInteger active = new AtomicInteger();
  public final AtomicInteger maxActive = new AtomicInteger();
  public final AtomicInteger entered = new AtomicInteger();
  public final CountDownLatch gate = new CountDownLatch(1);
  public final CountDownLatch closed = new CountDownLatch(1);
  public final CompletableFuture<String> pending = new CompletableFuture<>();

  void enter() {
    int now = active.incrementAndGet();
    maxActive.accumulateAndGet(now, Math::max);
    entered.incrementAndGet();
  }

  void exit() {
    active.decrementAndGet();
  }
}
