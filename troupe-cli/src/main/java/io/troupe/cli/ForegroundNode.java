package io.troupe.cli;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import java.util.concurrent.CompletionException;

/**
 * {@code troupe start --block}: runs the node in this JVM until it stops. Once
 * {@code TroupeNode.start} returns it writes the ready file ({@link NodeRecord}) that a parent
 * {@code troupe start} waits for, prints a ready line, and closes the node on SIGTERM/Ctrl-C
 * through a shutdown hook. The ready file is removed when the node stops.
 *
 * <p>A {@link io.troupe.runtime.api.TroupeException} from start propagates to {@link Main}, which
 * prints it as {@code troupe: <message>} (the line a parent shows the user) and exits 1.
 */
final class ForegroundNode {
  private final CliContext ctx;
  private final NodeConfig config;
  private final java.util.Optional<io.troupe.runtime.autoscaler.ClusterConfig> cluster;
  private final java.util.List<java.nio.file.Path> extraClasspath;

  ForegroundNode(CliContext ctx, NodeConfig config) {
    this(ctx, config, java.util.Optional.empty(), java.util.List.of());
  }

  /** A node that, being a head with a cluster config, also runs the cluster autoscaler. */
  ForegroundNode(CliContext ctx, NodeConfig config, java.util.Optional<io.troupe.runtime.autoscaler.ClusterConfig> cluster,
      java.util.List<java.nio.file.Path> extraClasspath) {
    this.ctx = ctx;
    this.config = config;
    this.cluster = cluster;
    this.extraClasspath = extraClasspath;
  }

  int run() {
    TroupeNode node = ctx.nodeStarter().apply(config);
    long pid = ProcessHandle.current().pid();
    AutoCloseable autoscaler;
    try {
      autoscaler = cluster.isPresent() ? Autoscaling.start(ctx, node, cluster.get(), extraClasspath) : () -> { };
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    Thread hook = new Thread(() -> {
      ctx.session().remove(pid);
      closeQuietly(autoscaler); // terminates the nodes it launched
      node.close();
    }, "troupe-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      closeQuietly(autoscaler);
      node.close();
      return Main.EXIT_FAILURE;
    }
    ctx.session().write(record(node, pid));
    ctx.out().println("troupe: " + (node.isHead() ? "head" : "worker") + " node " + node.nodeId()
        + " ready at " + node.address()
        + (node.dashboardUrl() != null ? ", REST API at " + node.dashboardUrl() : "")
        + ", resources " + node.resources());
    ctx.out().flush();
    try {
      node.whenTerminated().toCompletableFuture().join();
    } catch (CompletionException e) {
      ctx.err().println("troupe: node " + node.nodeId() + " stopped: " + Main.oneLine(String.valueOf(e.getCause())));
    } finally {
      ctx.session().remove(pid);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run; it closes the node.
      }
    }
    closeQuietly(autoscaler);
    node.close();
    ctx.out().println("troupe: node " + node.nodeId() + " stopped");
    ctx.out().flush();
    return 0;
  }

  private NodeRecord record(TroupeNode node, long pid) {
    long started = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    String log = System.getProperty(NodeLauncher.LOG_PROPERTY);
    return new NodeRecord(pid, started, node.nodeId().value(), node.isHead(), node.address(),
        node.dashboardUrl(), node.isHead() ? config.dashboardToken() : null,
        node.resources().toMap(), log);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.getLogger(ForegroundNode.class.getName()).log(System.Logger.Level.WARNING,
          "stopping the cluster autoscaler failed: " + e);
    }
  }
}
