package io.troupe.cli;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.TroupeNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Runs CLI commands in-process against a temporary session directory and captures the output. */
final class CliHarness {
  final Path home;
  final Map<String, String> env = new HashMap<>();
  Function<NodeConfig, TroupeNode> nodeStarter = c -> {
    throw new AssertionError("this test must not start a node");
  };

  CliHarness(Path home) {
    this.home = home;
  }

  /** Output of one command. */
  record Result(int code, String out, String err) {}

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, context(new PrintWriter(out, true), new PrintWriter(err, true)));
    return new Result(code, out.toString(), err.toString());
  }

  CliContext context(PrintWriter out, PrintWriter err) {
    return new CliContext(out, err, env, new SessionDir(home), nodeStarter, Duration.ofSeconds(60));
  }

  SessionDir session() {
    return new SessionDir(home);
  }

  /**
   * A scripted {@link TroupeNode} (a dynamic proxy, so it keeps compiling as the interface grows):
   * reports the config's values and terminates when {@code terminated} completes or on close.
   */
  static TroupeNode fakeNode(NodeConfig c, CompletableFuture<Void> terminated) {
    return (TroupeNode) Proxy.newProxyInstance(CliHarness.class.getClassLoader(), new Class<?>[] {TroupeNode.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "nodeId" -> NodeId.of(c.head() ? "head-fake" : "worker-fake");
          case "isHead" -> c.head();
          case "address" -> c.host() + ":" + c.port();
          case "dashboardUrl" -> c.head() ? "http://" + c.dashboardHost() + ":" + c.dashboardPort() : null;
          case "resources" -> ResourceSet.of(Map.of("CPU", c.numCpus() == null ? 1.0 : c.numCpus()));
          case "whenTerminated" -> terminated;
          case "close" -> {
            terminated.complete(null);
            yield null;
          }
          case "toString" -> "fake node";
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
