package io.troupe.runtime.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a node's {@code failureDetection} (how long a silent node may stay unreachable before it is
 * declared dead) into Pekko's failure-detector, gossip and split-brain-resolver timings, so that a
 * SIGKILLed node is declared dead about {@code failureDetection} after it went silent — not twice that,
 * as when only the heartbeat pause and the resolver's {@code stable-after} were derived from it.
 *
 * <p>From the last heartbeat a dead node sent, the time to "dead" is about: half a heartbeat interval
 * (where in its interval it died) + the acceptable pause + the phi detector's margin (~0.6 s at the
 * minimum deviation of 100 ms) + half a reaper interval + {@code stable-after} + half the resolver's
 * fixed 1 s tick + the gossip of the downing to the head (~0.2 s): the interval, the pause and
 * {@code stable-after} share what the fixed parts (~1.3 s) leave. A node silent for less than about
 * that long (a GC pause, SIGSTOP) comes back without being downed; one silent for longer is downed, like
 * a dead one — the price of detecting fast, measured in docs/benchmarks.md.
 *
 * <p>Floors keep short settings safe on loaded machines: heartbeat pause ≥ 2 s (as before) and
 * {@code stable-after} ≥ 1 s, so a setting below about 5 s is detected in about 4.5–5 s. (With a 1.5 s
 * pause, nodes of a 2-core box at load 25–35 flapped unreachable often enough to stall joins, which
 * need every member reachable.) Stateless.
 */
final class FailureDetection {
  static final Duration MIN_PAUSE = Duration.ofMillis(2000);
  static final Duration MIN_STABLE = Duration.ofMillis(1000);
  private static final long FIXED_MS = 1300;

  private FailureDetection() {}

  /** Pekko settings (paths under {@code pekko.cluster}) for the given failure-detection time. */
  static Map<String, String> pekkoSettings(Duration failureDetection) {
    long f = failureDetection.toMillis();
    long heartbeat = clamp(f / 10, 250, 1000);
    long rest = Math.max(0, f - heartbeat - FIXED_MS);
    long pause = Math.max(MIN_PAUSE.toMillis(), rest * 55 / 100);
    long stable = Math.max(MIN_STABLE.toMillis(), rest - rest * 55 / 100);
    Map<String, String> m = new LinkedHashMap<>();
    m.put("pekko.cluster.failure-detector.heartbeat-interval", heartbeat + "ms");
    m.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", pause + "ms");
    m.put("pekko.cluster.unreachable-nodes-reaper-interval", heartbeat + "ms");
    m.put("pekko.cluster.gossip-interval", clamp(f / 10, 200, 1000) + "ms");
    m.put("pekko.cluster.leader-actions-interval", clamp(f / 20, 100, 1000) + "ms");
    m.put("pekko.cluster.split-brain-resolver.stable-after", stable + "ms");
    return m;
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
