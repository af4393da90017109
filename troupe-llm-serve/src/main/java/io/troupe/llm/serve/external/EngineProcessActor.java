package io.troupe.llm.serve.external;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ProcessSpec;
import io.troupe.runtime.api.SupervisedProcess;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of an external engine's gang, placed in one bundle of the replica's placement group (so it holds that
 * bundle's GPUs). It may run one engine process ({@link #start}); when that process exits on its own, the actor
 * reports itself failed, and the runtime restarts the whole gang — replica, these actors, new processes — at the next
 * epoch. Closing the actor (a gang restart, the replica stopping) stops its process: SIGTERM, then SIGKILL after the
 * graceful period. Thread-safe; calls may run concurrently.
 */
public final class EngineProcessActor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngineProcessActor.class);
  /** Lines of output {@link #state} returns. */
  public static final int TAIL_LINES = 20;

  /** Where this member runs. */
  public record Where(String nodeId, List<String> gpuIds, long epoch, int bundleIndex) implements Serializable {}

  /** What to run ({@link ProcessSpec} in serializable form). */
  public record Launch(String name, List<String> argv, Map<String, String> env, int gracefulStopS)
      implements Serializable {}

  /**
   * The process's state.
   *
   * @param started  whether a process was started
   * @param alive    whether it runs
   * @param exitCode its exit code once it exited, else -1
   * @param tail     its last {@link #TAIL_LINES} lines of output
   * @param logFile  its log file, or ""
   */
  public record State(boolean started, boolean alive, int exitCode, List<String> tail, String logFile)
      implements Serializable {}

  private final ActorContext ctx;
  private volatile SupervisedProcess process;
  private volatile boolean closing;

  public EngineProcessActor() {
    this.ctx = ActorContext.current().orElseThrow(() -> new IllegalStateException(
        "EngineProcessActor runs as an actor"));
  }

  public Where where() {
    return new Where(ctx.nodeId().value(), ctx.gpuIds(), ctx.epoch(), ctx.bundleIndex());
  }

  /** A port that is free on this node now (bound to the wildcard address, then released). */
  public int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("no free port on node " + ctx.nodeId().value(), e);
    }
  }

  /** Starts the process; fails (with the launcher's message) when it cannot start. */
  public synchronized String start(Launch l) {
    if (process != null) {
      throw new IllegalStateException("this gang member runs a process already: " + process);
    }
    SupervisedProcess p = ctx.processes().start(new ProcessSpec(l.name(), l.argv(), l.env(), null,
        Duration.ofSeconds(l.gracefulStopS())));
    process = p;
    int incarnation = ctx.incarnation();
    p.onExit().thenAccept(code -> {
      if (closing) {
        return;
      }
      String cause = "engine process '" + l.name() + "' on node " + ctx.nodeId().value() + " exited with code " + code
          + "; last output:\n" + String.join("\n", p.tail(TAIL_LINES));
      LOG.warn("{}", cause);
      ctx.troupe().fail(ctx.actorId(), incarnation, cause);
    });
    LOG.info("started engine process {} (pgid {}) on {} with CUDA_VISIBLE_DEVICES={}", l.name(), p.pgid(),
        ctx.nodeId().value(), l.env().get("CUDA_VISIBLE_DEVICES"));
    return Long.toString(p.pgid());
  }

  public State state() {
    SupervisedProcess p = process;
    if (p == null) {
      return new State(false, false, -1, List.of(), "");
    }
    return new State(true, p.isAlive(), p.exitCode().orElse(-1), p.tail(TAIL_LINES), p.logFile().toString());
  }

  /** The last {@code lines} lines of the process's output. */
  public List<String> tail(Integer lines) {
    SupervisedProcess p = process;
    return p == null ? List.of() : p.tail(lines);
  }

  @Override
  public void close() {
    closing = true;
    SupervisedProcess p = process;
    if (p != null) {
      p.close();
    }
  }
}
