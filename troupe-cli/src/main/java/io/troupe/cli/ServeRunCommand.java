package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe serve run CONFIG.yaml}: deploy and stay in the foreground (Ray's {@code serve run}).
 * If no head answers at the API address (and none was named with {@code --address}) it first starts
 * the demo's local cluster, a head and two workers. It deploys, waits until every application is
 * RUNNING, prints where to call them, and blocks until Ctrl-C (or until its thread is interrupted);
 * then it shuts down what it started: the nodes if it started them, else the applications.
 *
 * <p>Threading: the command thread does all the work, including the shutdown; the JVM shutdown hook
 * only wakes it and waits (bounded) for it to finish.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Deploy a serve config and stay in the foreground until Ctrl-C; starts a local cluster "
        + "(a head and two workers) if no head is running.")
public final class ServeRunCommand implements Callable<Integer> {
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(40);

  private final CliContext ctx;

  @Mixin
  ApiOptions api = new ApiOptions();

  @Parameters(paramLabel = "CONFIG", description = "The serve config file, e.g. examples/hello/serve.yaml.")
  Path file;

  public ServeRunCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    ServeCommand.Loaded config = ServeCommand.load(file);
    RestClient client = api.client(ctx);
    DemoCluster cluster = null;
    if (!headAnswers(client)) {
      if (api.address != null) {
        throw client.unreachable();
      }
      ctx.out().println("No head answers at " + client.baseUrl() + "; starting a local cluster (a head and two workers).");
      ctx.out().flush();
      cluster = DemoCluster.start(ctx);
      client = cluster.client();
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        done.await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "troupe-serve-run-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      ServeCommand.deploy(client, config);
      JsonNode status = ServeCommand.awaitRunning(client, config.parsed(), ServeCommand.DEPLOY_TIMEOUT);
      ctx.out().println();
      ctx.out().print(ServeView.renderStatus(status));
      ctx.out().println();
      ctx.out().println("Serving " + file + ":");
      ctx.out().print(ServeView.renderDeployed(config.parsed()));
      ctx.out().println("Press Ctrl-C to stop" + (cluster != null ? " (stops the local cluster started for it)."
          : " (removes the applications; the cluster keeps running)."));
      ctx.out().flush();
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // interrupted like Ctrl-C: shut down below
      }
      return 0;
    } finally {
      boolean wasInterrupted = Thread.interrupted(); // let the shutdown's own waits work
      try {
        shutDown(client, cluster);
      } finally {
        done.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down (Ctrl-C): the hook is running and waits for 'done'
        }
        if (wasInterrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private void shutDown(RestClient client, DemoCluster cluster) {
    if (cluster != null) {
      ctx.out().println("Stopping the local cluster...");
      ctx.out().flush();
      cluster.stop();
      ctx.out().println("Stopped.");
    } else {
      RestClient.Answer a;
      try {
        a = client.call("DELETE", ServeCommand.PATH, null, RestClient.TIMEOUT);
      } catch (CliException e) {
        ctx.err().println("troupe: could not remove the applications: " + e.getMessage());
        return;
      }
      ctx.out().println(a.ok() ? "Removed the serve applications." : "Could not remove the applications: " + a.error());
    }
    ctx.out().flush();
  }

  /** Whether a REST API answers at all (any HTTP answer counts; a refused token is an error). */
  private static boolean headAnswers(RestClient client) {
    try {
      client.call("GET", StatusCommand.PATH, null, RestClient.TIMEOUT);
      return true;
    } catch (CliException e) {
      if (e.getMessage().equals(client.unreachable().getMessage())) {
        return false;
      }
      throw e;
    }
  }
}
