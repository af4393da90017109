package io.troupe.cli;

import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.autoscaler.AutoscalerService;
import io.troupe.runtime.autoscaler.ClusterConfig;
import io.troupe.runtime.autoscaler.CommandNodeProvider;
import io.troupe.runtime.autoscaler.LocalNodeProvider;
import io.troupe.runtime.autoscaler.spi.NodeProvider;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the cluster autoscaler in a head started by the CLI. The {@code local} provider's workers are this
 * same CLI, {@code troupe start --block} with the launch's arguments, in background JVMs like
 * {@code troupe start} makes (same java, classpath and {@code $TROUPE_NODE_JVM_OPTS}), logging to the session's
 * log directory; the {@code command} provider runs the config's commands.
 */
final class Autoscaling {
  private Autoscaling() {
  }

  static AutoCloseable start(CliContext ctx, TroupeNode head, ClusterConfig config, List<Path> extraClasspath) {
    NodeProvider provider = switch (config.provider().type()) {
      case "local" -> {
        Path logs = ctx.session().logsDir();
        NodeLauncher launcher = new NodeLauncher(ctx);
        yield new LocalNodeProvider(l -> launcher.command(l.startArgs(), extraClasspath,
            logs.resolve(l.launchId() + ".log")), logs);
      }
      case "command" -> CommandNodeProvider.of(config);
      default -> throw new CliException("unknown provider type " + config.provider().type());
    };
    AutoscalerService s = new AutoscalerService(head.client(), head.address(), config, provider);
    ctx.out().println("troupe: cluster autoscaler running (" + config.provider().type() + " provider, node types "
        + config.workerTypes().keySet() + ", max_workers " + config.maxWorkers() + ")");
    return s;
  }
}
