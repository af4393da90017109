package io.troupe.runtime.process;

/**
 * The small {@code sh} wrapper every supervised process runs under, started through {@code setsid} so that it leads
 * a new session and process group ({@code pgid == its pid}). It
 * <ol>
 *   <li>writes {@code "<pgid> <owner pid> <owner start ms>"} to the pid file (the owner is the node's JVM),</li>
 *   <li>starts the command in the background with stdin from {@code /dev/null},</li>
 *   <li>runs a watchdog that blocks reading the wrapper's stdin — a pipe whose other end only the node's JVM holds.
 *       EOF means the JVM closed it (a graceful stop) or died (even by SIGKILL: the kernel closes its end); the
 *       watchdog then sends SIGTERM to the whole group, waits the grace period and sends SIGKILL,</li>
 *   <li>when the command exits on its own, sends SIGTERM to what is left of the group (the command's own children)
 *       and exits with the command's exit code.</li>
 * </ol>
 * Arguments: {@code $1} pid file, {@code $2} grace seconds, then the command's argv.
 */
final class Watchdog {
  /** Marker in the wrapper's command line, so a reaper can tell its groups from unrelated ones. */
  static final String MARKER = "troupe-watchdog";

  static final String SCRIPT = String.join("\n",
      "pidfile=$1; grace=$2; shift 2",
      "echo \"$$ $TROUPE_OWNER_PID $TROUPE_OWNER_START\" > \"$pidfile.tmp\" && mv \"$pidfile.tmp\" \"$pidfile\"",
      "exec 3<&0",
      "\"$@\" </dev/null 3<&- &",
      "c=$!",
      "( cat <&3 >/dev/null; kill -TERM -$$ 2>/dev/null; sleep \"$grace\"; kill -KILL -$$ 2>/dev/null ) &",
      "exec 3<&-",
      "wait $c; code=$?",
      "trap '' TERM",
      "kill -TERM -$$ 2>/dev/null",
      "exit $code",
      "");

  private Watchdog() {}
}
