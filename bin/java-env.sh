#!/usr/bin/env bash
# Sourced by ./troupe and .ci/run: finds a JDK 21+ and exports JAVA_HOME for it.
# Looks at $JAVA_HOME, then `java` on PATH, then JDKs installed beside that one, then common
# per-user install folders. Prints a one-line hint and returns 1 when none is found.

troupe_java_major() { # $1 = path to a java binary; prints its feature version (17, 21, 25, ...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1
}

troupe_find_jdk() {
  local candidates=() c major best="" best_major=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    local home
    home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    candidates+=("$home")
    # JDKs installed side by side with the default one (e.g. several under one jvm folder).
    for c in "$(dirname "$home")"/*; do candidates+=("$c"); done
  fi
  for c in "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /opt/java/* /opt/jdk*; do
    candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(troupe_java_major "$c/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -ge 21 ] 2>/dev/null; then
      # Prefer $JAVA_HOME / PATH when they qualify; otherwise the newest found.
      if [ "$c" = "${JAVA_HOME:-}" ]; then best="$c"; break; fi
      if [ "$major" -gt "$best_major" ]; then best="$c"; best_major="$major"; fi
    fi
  done
  if [ -z "$best" ]; then
    echo "troupe: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, java on PATH is $(command -v java >/dev/null && troupe_java_major "$(command -v java)" || echo missing)). Install one (e.g. 'apt-get install openjdk-21-jdk') or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}
