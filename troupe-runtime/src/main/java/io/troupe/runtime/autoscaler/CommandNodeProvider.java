package io.troupe.runtime.autoscaler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.autoscaler.spi.NodeLaunch;
import io.troupe.runtime.autoscaler.spi.NodeLaunchException;
import io.troupe.runtime.autoscaler.spi.NodeProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Provider {@code command}: runs the user's {@code launch} and {@code terminate} commands ({@code sh -c}) for
 * any cloud, VM or batch system. The launch command gets, in its environment:
 * <ul>
 *   <li>{@code TROUPE_NODE_TYPE}, {@code TROUPE_LAUNCH_ID}, {@code TROUPE_HEAD_ADDRESS};</li>
 *   <li>{@code TROUPE_NODE_RESOURCES} (JSON), {@code TROUPE_NODE_LABELS} ({@code k=v,...}),
 *       {@code TROUPE_NODE_CONFIG} (the type's {@code node_config} as JSON);</li>
 *   <li>{@code TROUPE_START_ARGS}: the arguments for {@code troupe start} on the new machine;</li>
 *   <li>the provider's {@code env} (credentials).</li>
 * </ul>
 * It must exit 0 once the machine is on its way and may print the machine's id as its last line of output
 * (else the launch id stands for it). A non-zero exit or a run longer than the timeout fails the launch with the
 * command's last output lines as the reason. The terminate command gets the same environment plus
 * {@code TROUPE_PROVIDER_NODE_ID}.
 *
 * <p>Thread-safe (each call runs its own process).
 */
public final class CommandNodeProvider implements NodeProvider {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int OUTPUT_LINES_KEPT = 5;

  private final String launch;
  private final String terminate;
  private final Map<String, Map<String, Object>> nodeConfigs;
  private final Duration timeout;

  public CommandNodeProvider(String launch, String terminate, Map<String, Map<String, Object>> nodeConfigs,
      Duration timeout) {
    this.launch = launch;
    this.terminate = terminate;
    this.nodeConfigs = Map.copyOf(nodeConfigs);
    this.timeout = timeout;
  }

  /** The provider a cluster config describes. */
  public static CommandNodeProvider of(ClusterConfig c) {
    Map<String, Map<String, Object>> configs = new java.util.HashMap<>();
    c.nodeTypes().forEach((n, t) -> configs.put(n, t.nodeConfig()));
    return new CommandNodeProvider(c.provider().launch().orElseThrow(), c.provider().terminate().orElseThrow(),
        configs, c.provider().launchTimeout());
  }

  @Override
  public String launch(NodeLaunch l) throws NodeLaunchException {
    List<String> out = run("launch", launch, l, null);
    for (int i = out.size() - 1; i >= 0; i--) {
      String s = out.get(i).strip();
      if (!s.isEmpty()) {
        return s;
      }
    }
    return l.launchId();
  }

  @Override
  public void terminate(String providerNodeId, NodeLaunch l) throws NodeLaunchException {
    run("terminate", terminate, l, providerNodeId);
  }

  private List<String> run(String what, String cmd, NodeLaunch l, String providerId) throws NodeLaunchException {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.putAll(l.env());
    env.put("TROUPE_NODE_TYPE", l.nodeType());
    env.put("TROUPE_LAUNCH_ID", l.launchId());
    env.put("TROUPE_HEAD_ADDRESS", l.headAddress());
    try {
      env.put("TROUPE_NODE_RESOURCES", JSON.writeValueAsString(l.resources().toMap()));
      env.put("TROUPE_NODE_CONFIG", JSON.writeValueAsString(nodeConfigs.getOrDefault(l.nodeType(), Map.of())));
    } catch (IOException e) {
      throw new NodeLaunchException("cannot encode the node's settings: " + e.getMessage());
    }
    StringBuilder labels = new StringBuilder();
    new java.util.TreeMap<>(l.labels()).forEach((k, v) -> labels.append(labels.length() > 0 ? "," : "")
        .append(k).append('=').append(v));
    env.put("TROUPE_NODE_LABELS", labels.toString());
    env.put("TROUPE_START_ARGS", String.join(" ", l.startArgs().stream().map(CommandNodeProvider::quote).toList()));
    if (providerId != null) {
      env.put("TROUPE_PROVIDER_NODE_ID", providerId);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new NodeLaunchException("cannot run the " + what + " command: " + e.getMessage());
    }
    List<String> lines = new ArrayList<>();
    Thread reader = Thread.ofVirtual().start(() -> {
      try (var r = p.inputReader(StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            if (lines.size() > 200) {
              lines.remove(0);
            }
          }
        }
      } catch (IOException e) {
        // the process went away
      }
    });
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new NodeLaunchException("the " + what + " command (" + cmd + ") did not finish within "
            + timeout.toSeconds() + " s (provider.launch_timeout_s); it was killed");
      }
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new NodeLaunchException("interrupted while running the " + what + " command");
    }
    List<String> out;
    synchronized (lines) {
      out = List.copyOf(lines);
    }
    if (p.exitValue() != 0) {
      List<String> tail = out.subList(Math.max(0, out.size() - OUTPUT_LINES_KEPT), out.size());
      throw new NodeLaunchException("the " + what + " command (" + cmd + ") exited with code " + p.exitValue()
          + (tail.isEmpty() ? " and printed nothing" : ": " + String.join(" | ", tail)));
    }
    return out;
  }

  private static String quote(String s) {
    return s.matches("[A-Za-z0-9_./:=,@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
