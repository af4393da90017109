package io.troupe.cli;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything a command touches outside its own arguments: output streams, environment variables,
 * the session directory and how a node is started. {@link #fromSystem} gives the real ones; tests
 * build their own so that commands run in-process against a temporary session directory.
 *
 * @param out where results go (stdout)
 * @param err where {@code troupe: ...} errors and progress go (stderr)
 * @param env environment variables (TROUPE_DASHBOARD_TOKEN, TROUPE_NODE_JVM_OPTS, TROUPE_DEBUG, ...)
 * @param session the session directory ({@code $TROUPE_HOME} or {@code ~/.troupe})
 * @param nodeStarter starts a node in this JVM ({@code start --block}); {@link TroupeNode#start} for real
 * @param readyTimeout how long {@code start} waits for a spawned node to report ready
 */
public record CliContext(
    PrintWriter out,
    PrintWriter err,
    Map<String, String> env,
    SessionDir session,
    Function<NodeConfig, TroupeNode> nodeStarter,
    Duration readyTimeout) {

  /** System property that overrides the session directory (wins over {@code $TROUPE_HOME}). */
  public static final String HOME_PROPERTY = "troupe.home";

  public CliContext {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    env = Map.copyOf(env);
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(nodeStarter, "nodeStarter");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
  }

  /** The real process environment: stdout/stderr, {@code System.getenv()}, the session dir. */
  public static CliContext fromSystem() {
    Map<String, String> env = System.getenv();
    return new CliContext(
        new PrintWriter(System.out, true),
        new PrintWriter(System.err, true),
        env,
        new SessionDir(sessionRoot(System.getProperty(HOME_PROPERTY), env)),
        TroupeNode::start,
        Duration.ofSeconds(60));
  }

  /** {@code -Dtroupe.home}, else {@code $TROUPE_HOME}, else {@code ~/.troupe}. */
  static Path sessionRoot(String property, Map<String, String> env) {
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    String home = env.get("TROUPE_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home).toAbsolutePath();
    }
    return Path.of(System.getProperty("user.home"), ".troupe");
  }

  boolean debug() {
    return "1".equals(env.get("TROUPE_DEBUG")) || "true".equalsIgnoreCase(env.get("TROUPE_DEBUG"));
  }

  CliContext withNodeStarter(Function<NodeConfig, TroupeNode> starter) {
    return new CliContext(out, err, env, session, starter, readyTimeout);
  }
}
