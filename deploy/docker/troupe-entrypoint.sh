#!/usr/bin/env bash
# Entry point of the Troupe image: runs the CLI (`troupe start ... --block`, `troupe status`, ...).
#   TROUPE_JAVA_OPTS   extra JVM options (e.g. -XX:MaxRAMPercentage=60)
#   TROUPE_WAIT_FOR    HOST:PORT to wait for (at most TROUPE_WAIT_SECONDS, default 300) before starting,
#                      e.g. a worker waiting for its head's cluster port
set -euo pipefail
if [ -n "${TROUPE_WAIT_FOR:-}" ]; then
  host="${TROUPE_WAIT_FOR%:*}"
  port="${TROUPE_WAIT_FOR##*:}"
  deadline=$(( SECONDS + ${TROUPE_WAIT_SECONDS:-300} ))
  until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      echo "troupe: nothing answers at $TROUPE_WAIT_FOR after ${TROUPE_WAIT_SECONDS:-300} s (is the head running?)" >&2
      exit 1
    fi
    sleep 2
  done
fi
# shellcheck disable=SC2086
exec java --add-modules jdk.incubator.vector ${TROUPE_JAVA_OPTS:-} -cp "/opt/troupe/troupe-cli.jar:/opt/troupe/lib/*" \
  io.troupe.cli.Main "$@"
