package io.troupe.runtime.autoscaler.spi;

/**
 * Starts and stops machines for the cluster autoscaler (Ray's {@code NodeProvider}). A provider is a plain
 * class: the autoscaler calls it from its own launcher threads, never on its decision thread, so a call may
 * block (run a cloud CLI, wait for an API) for as long as it needs.
 *
 * <p>A launched machine must start a Troupe worker that joins {@link NodeLaunch#headAddress()} with the
 * launch's resources and labels ({@link NodeLaunch#startArgs()} has them as {@code troupe start} arguments);
 * the autoscaler recognises it by its {@code troupe.io/launch-id} label.
 */
public interface NodeProvider extends AutoCloseable {

  /**
   * Starts one node; returns the provider's id for it (an instance id, a pid). Throws
   * {@link NodeLaunchException} with a reason a person can act on when it cannot; the autoscaler shows it
   * and retries with back-off.
   */
  String launch(NodeLaunch launch) throws NodeLaunchException;

  /** Stops a node this provider launched (it may already be gone). Throws with a reason when it cannot. */
  void terminate(String providerNodeId, NodeLaunch launch) throws NodeLaunchException;

  /**
   * Why a node it launched has already failed (a local process that exited), or empty when it cannot tell or
   * the node may still join. Called on the autoscaler's thread: must not block.
   */
  default java.util.Optional<String> failure(String providerNodeId) {
    return java.util.Optional.empty();
  }

  /** Releases what the provider holds; the autoscaler terminates its nodes first. */
  @Override
  default void close() {
  }
}
