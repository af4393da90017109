package io.troupe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe down cluster.yaml}: stops the cluster {@code troupe up} started from this machine (Ray's
 * {@code ray down}): its nodes stop, and the head's autoscaler terminates every node it launched through the
 * config's provider (the {@code command} provider runs its terminate command for each) before the head exits.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stop a cluster started with 'troupe up': the head terminates the nodes its autoscaler launched.")
public final class DownCommand implements Callable<Integer> {
  private final CliContext ctx;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CLUSTER_YAML", description = "The cluster config given to 'troupe up'.")
  Path file;

  public DownCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    ClusterConfigFile.read(file, m -> new CommandLine.ParameterException(spec.commandLine(), m));
    return Main.execute(new String[] {"stop"}, ctx);
  }
}
