package io.troupe.runtime.process;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Process-group signals through {@code kill(1)}: the JDK can only signal single processes. */
final class Signals {
  private Signals() {}

  /** Sends {@code SIG<signal>} to every process of group {@code pgid}; quiet when the group is gone. */
  static void killGroup(long pgid, String signal) {
    run("kill", "-" + signal, "--", "-" + pgid);
  }

  /** Whether any process of group {@code pgid} is left. */
  static boolean groupAlive(long pgid) {
    return run("kill", "-0", "--", "-" + pgid) == 0;
  }

  private static int run(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
