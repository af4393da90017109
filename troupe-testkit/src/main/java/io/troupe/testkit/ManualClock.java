package io.troupe.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand; starts at 2026-01-01T00:00:00Z. Safe to read from other threads. */
public final class ManualClock implements InstantSource {
  private volatile Instant now;

  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualClock(Instant start) {
    this.now = start;
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** Moves the clock forward (or back, for a negative duration) and returns the new time. */
  public synchronized Instant advance(Duration d) {
    now = now.plus(d);
    return now;
  }
}
