package io.troupe.runtime.node;

import java.util.concurrent.TimeUnit;

/** Test actor whose constructor waits for the probe's gate; records close(). */
public class SlowConstructorActor implements AutoCloseable {
  private final HostProbe probe;

  public SlowConstructorActor(HostProbe probe) throws InterruptedException {
    this.probe = probe;
    probe.entered.incrementAndGet();
    if (!probe.gate.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate never opened");
    }
  }

  @Override
  public void close() {
    probe.closed.countDown();
  }
}
