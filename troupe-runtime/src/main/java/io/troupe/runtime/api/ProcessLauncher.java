package io.troupe.runtime.api;

/**
 * Starts supervised OS processes (external engines, user binaries) for an actor: see
 * {@link ActorContext#processes()}. One interface per side effect: the real launcher runs OS processes on the
 * actor's node; tests of code built on it script a fake.
 */
public interface ProcessLauncher {

  /**
   * Starts {@code spec} in a process group of its own, with {@code CUDA_VISIBLE_DEVICES} set to the launching
   * actor's GPU ids unless the spec's environment sets it.
   *
   * @throws TroupeException when it cannot start: the command is not found on the {@code PATH} or not executable
   *     (the message names it and the node), or the OS refuses the process
   */
  SupervisedProcess start(ProcessSpec spec);
}
