package io.troupe.runtime.process;

import io.troupe.runtime.api.ProcessSpec;
import io.troupe.runtime.api.SupervisedProcess;
import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in node JVM for {@link OsProcessLauncherTest}: starts {@code sh -c 'sleep 600 & sleep 600'} (a command
 * with a child of its own) through an {@link OsProcessLauncher} in {@code args[0]}, prints {@code PGID <n>} and
 * waits to be killed.
 */
public final class ProcessOwnerMain {
  private ProcessOwnerMain() {}

  public static void main(String[] args) throws Exception {
    OsProcessLauncher l = new OsProcessLauncher(Path.of(args[0]), "", "owner test");
    SupervisedProcess p = l.start(ProcessSpec.of("orphan-candidate", List.of("sh", "-c", "sleep 600 & sleep 600"))
        .withGracefulStop(java.time.Duration.ofSeconds(1)));
    System.out.println("PGID " + p.pgid());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
