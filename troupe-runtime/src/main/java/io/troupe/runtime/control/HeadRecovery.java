package io.troupe.runtime.control;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A restarted head's wait before it takes the persisted control state back: while the nodes the previous head
 * knew re-register (their agents report the bundles and actors they still hold), commands that read or change
 * actors and groups are deferred; once every known node (but this one) has registered, or {@code grace} has
 * passed, recovery is due, runs once, and the deferred commands replay in arrival order. A head without
 * persisted state never recovers and defers nothing.
 *
 * <p><b>Threading.</b> Not thread-safe: owned by the control service's actor. Time comes from the injected
 * clock only.
 *
 * @param <M> the deferred commands
 */
public final class HeadRecovery<M> {
  private final InstantSource clock;
  private final Set<String> known;
  private final String self;
  private final Instant deadline;
  private final List<M> deferred = new ArrayList<>();
  private boolean recovering;

  /**
   * @param hasState whether the store holds a previous head's state (else there is nothing to recover)
   * @param known    {@code host:port} of the nodes the previous head knew
   * @param self     this head's {@code host:port} (it never re-registers with itself as a stranger)
   */
  public HeadRecovery(InstantSource clock, boolean hasState, Set<String> known, String self, Duration grace) {
    this.clock = clock;
    this.known = Set.copyOf(known);
    this.self = self;
    this.recovering = hasState;
    this.deadline = clock.instant().plus(grace);
  }

  /** Whether the state is not yet taken back (commands are deferred). */
  public boolean recovering() {
    return recovering;
  }

  public Instant deadline() {
    return deadline;
  }

  /** Keeps {@code command} for {@link #finish}; only while {@link #recovering}. */
  public void defer(M command) {
    if (!recovering) {
      throw new IllegalStateException("not recovering: handle the command now");
    }
    deferred.add(command);
  }

  /**
   * A node registered; {@code registered} are the addresses of all registered nodes now. True when recovery
   * is due: every node the previous head knew (except this head) is back.
   */
  public boolean onRegistered(Set<String> registered) {
    return recovering && !registered.isEmpty() && !known.isEmpty()
        && registered.containsAll(known.stream().filter(k -> !k.equals(self)).toList());
  }

  /** True when recovery is due because the grace period has passed. */
  public boolean graceOver() {
    return recovering && clock.instant().isAfter(deadline);
  }

  /** Ends recovery (the caller takes the state back) and returns the deferred commands, oldest first. */
  public List<M> finish() {
    recovering = false;
    List<M> out = List.copyOf(deferred);
    deferred.clear();
    return out;
  }
}
