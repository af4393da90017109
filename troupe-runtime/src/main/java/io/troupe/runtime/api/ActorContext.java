package io.troupe.runtime.api;

import java.util.List;
import java.util.Optional;

/**
 * What code running inside an actor can know about where it runs: its id, node, the GPU instance
 * ids it holds, and a {@link Troupe} client for creating further actors. Available to the
 * constructor and to every method call, and to threads those start.
 */
public interface ActorContext {

  ActorId actorId();

  /** Restart count of this incarnation (0 for the first). */
  int incarnation();

  NodeId nodeId();

  /** GPU instance ids this actor holds (e.g. ["0", "1"]); empty without GPUs. */
  List<String> gpuIds();

  /** The value for CUDA_VISIBLE_DEVICES of processes this actor launches. */
  default String cudaVisibleDevices() {
    return String.join(",", gpuIds());
  }

  /**
   * A process builder for a child process of this actor, with {@code CUDA_VISIBLE_DEVICES} set to
   * exactly the GPU instances this actor holds (empty string without GPUs, so the child sees none).
   */
  default ProcessBuilder processBuilder(String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("CUDA_VISIBLE_DEVICES", cudaVisibleDevices());
    return pb;
  }

  /**
   * Starts supervised OS processes on this actor's node (external engines, user binaries): each in a process group
   * of its own with {@code CUDA_VISIBLE_DEVICES} set to exactly this actor's GPU ids, output captured to a log file,
   * and a watchdog that stops the group when the node process dies, even by SIGKILL; a node started later on the
   * machine reaps anything left. The actor owns what it starts: stop the processes in its {@code close()}.
   */
  default ProcessLauncher processes() {
    return new io.troupe.runtime.process.OsProcessLauncher(io.troupe.runtime.process.OsProcessLauncher.defaultDir(),
        cudaVisibleDevices(), "node " + nodeId());
  }

  /** The placement group this actor runs in, if any. */
  default Optional<PlacementGroupId> placementGroup() {
    return Optional.empty();
  }

  /** Index of this actor's bundle in its group; -1 outside groups. */
  default int bundleIndex() {
    return -1;
  }

  /** The group's epoch this actor belongs to (gang restarts bump it); 0 outside groups. */
  default long epoch() {
    return 0;
  }

  /** Whether actors created here land in this actor's group by default. */
  default boolean capturesChildren() {
    return placementGroup().isPresent();
  }

  /** A client of the cluster, running through this actor's node. */
  Troupe troupe();

  /** The context of the actor whose code runs on this thread, if any. */
  static Optional<ActorContext> current() {
    return Optional.ofNullable(ContextHolder.CURRENT.get());
  }

  /** Holder of the current context; set by the node agent around actor code. Not for user code. */
  final class ContextHolder {
    static final InheritableThreadLocal<ActorContext> CURRENT = new InheritableThreadLocal<>();

    private ContextHolder() {}

    public static ActorContext swap(ActorContext ctx) {
      ActorContext old = CURRENT.get();
      if (ctx == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(ctx);
      }
      return old;
    }
  }
}
