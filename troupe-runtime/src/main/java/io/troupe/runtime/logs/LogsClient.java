package io.troupe.runtime.logs;

import io.troupe.runtime.api.TroupeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Reads logs from any node of the cluster through its {@link LogService}, addressed by the node's cluster address
 * ({@code host:port}). Thread-safe.
 */
public final class LogsClient {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final ActorSystem<?> system;
  private final String systemName;

  public LogsClient(ActorSystem<?> system) {
    this.system = system;
    this.systemName = system.name();
  }

  public CompletionStage<List<NodeLogs.FileInfo>> list(String nodeAddress, String match) {
    return service(nodeAddress).thenCompose(ref -> AskPattern.<LogCommand, LogCommand.Listing>ask(ref,
            r -> new LogCommand.ListFiles(match, r), TIMEOUT, system.scheduler()))
        .thenApply(l -> {
          if (l.error() != null) {
            throw new TroupeException(l.error());
          }
          return l.files();
        });
  }

  public CompletionStage<NodeLogs.Chunk> read(String nodeAddress, String file, long offset, int tailLines, int maxBytes) {
    return service(nodeAddress).thenCompose(ref -> AskPattern.<LogCommand, LogCommand.ReadReply>ask(ref,
            r -> new LogCommand.Read(file, offset, tailLines, maxBytes, r), TIMEOUT, system.scheduler()))
        .thenApply(r -> {
          if (r.error() != null) {
            throw new TroupeException(r.error());
          }
          return r.chunk();
        });
  }

  private CompletionStage<ActorRef<LogCommand>> service(String nodeAddress) {
    String path = "pekko://" + systemName + "@" + nodeAddress + "/system/" + LogService.NAME;
    return Adapter.toClassic(system).actorSelection(path).resolveOne(TIMEOUT)
        .thenApply(classic -> Adapter.<LogCommand>toTyped(classic))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(new TroupeException(
            "the node at " + nodeAddress + " does not answer for its logs: " + e.getMessage())));
  }
}
