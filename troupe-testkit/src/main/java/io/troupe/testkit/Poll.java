package io.troupe.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in tests: polls a probe until it answers what the test waits for, or fails once the deadline has
 * passed, saying what was awaited and the last answer. Never a fixed sleep.
 *
 * <pre>{@code
 * JsonNode status = Poll.upTo(Duration.ofSeconds(30)).until("app RUNNING", () -> getJson(url),
 *     s -> s.path("status").asText().equals("RUNNING"));
 * }</pre>
 */
public final class Poll {
  private final Duration timeout;
  private final Duration interval;

  private Poll(Duration timeout, Duration interval) {
    if (timeout.isNegative() || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("timeout must be >= 0 and interval > 0, got " + timeout + ", " + interval);
    }
    this.timeout = timeout;
    this.interval = interval;
  }

  /** Polls for at most {@code timeout}, every 50 ms. */
  public static Poll upTo(Duration timeout) {
    return new Poll(timeout, Duration.ofMillis(50));
  }

  /** The same deadline, polling every {@code interval}. */
  public Poll every(Duration interval) {
    return new Poll(timeout, interval);
  }

  /** Something the test asks, possibly over the network. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  /** A condition the test waits for. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Asks {@code probe} until {@code done} accepts its answer and returns that answer; an exception from the
   * probe ends the wait (catch it in the probe if it is expected while waiting).
   *
   * @throws AssertionError when the deadline passes first, with {@code what} and the last answer
   */
  public <T> T until(String what, Probe<T> probe, Predicate<? super T> done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last;
    while (true) {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(what + ": not reached in " + seconds(timeout) + "; last answer: " + last);
      }
      LockSupport.parkNanos(interval.toNanos());
    }
  }

  /** Waits until {@code condition} holds; fails with {@code what} when the deadline passes first. */
  public void until(String what, Condition condition) throws Exception {
    until(what, condition::holds, Boolean::booleanValue);
  }

  /** {@link #until(String, Probe, Predicate)} for a probe that throws no checked exception. */
  public <T> T await(String what, Supplier<T> probe, Predicate<? super T> done) {
    try {
      return until(what, probe::get, done);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("a Supplier threw a checked exception", e);
    }
  }

  /**
   * Asks {@code probe} every interval for the whole timeout and returns every answer, failing at the first one
   * {@code ok} rejects: for "this stays true for a while" (no oscillation), where waiting for a change is wrong.
   *
   * @throws AssertionError at the first rejected answer, with {@code what} and that answer
   */
  public <T> List<T> throughout(String what, Probe<T> probe, Predicate<? super T> ok) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<T> seen = new ArrayList<>();
    while (true) {
      T answer = probe.get();
      seen.add(answer);
      if (!ok.test(answer)) {
        throw new AssertionError(what + ": broken after " + seen.size() + " samples; answers: " + seen);
      }
      if (System.nanoTime() - deadline >= 0) {
        return seen;
      }
      LockSupport.parkNanos(interval.toNanos());
    }
  }

  /** {@link #until(String, Condition)} for a condition that throws no checked exception. */
  public void await(String what, BooleanSupplier condition) {
    await(what, condition::getAsBoolean, Boolean::booleanValue);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? TimeUnit.MILLISECONDS.toSeconds(d.toMillis()) + " s" : d.toMillis() + " ms";
  }
}
