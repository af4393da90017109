package io.troupe.runtime.logs;

import io.troupe.runtime.api.TroupeException;
import java.io.UncheckedIOException;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A node's log service: answers {@link LogCommand}s from its {@link NodeLogs}, so the head reads logs from the node
 * that holds them. Runs as the system actor {@code /system/} {@link #NAME} on every node; the file I/O runs on a
 * virtual thread per request, never on the actor's dispatcher.
 */
public final class LogService {
  public static final String NAME = "troupe-logs";

  private LogService() {
  }

  public static Behavior<LogCommand> create(NodeLogs logs) {
    return Behaviors.receive(LogCommand.class)
        .onMessage(LogCommand.ListFiles.class, m -> {
          Thread.ofVirtual().name("troupe-logs-list").start(() -> {
            try {
              m.replyTo().tell(new LogCommand.Listing(logs.list(m.match()), null));
            } catch (RuntimeException e) {
              m.replyTo().tell(new LogCommand.Listing(java.util.List.of(), message(e)));
            }
          });
          return Behaviors.same();
        })
        .onMessage(LogCommand.Read.class, m -> {
          Thread.ofVirtual().name("troupe-logs-read").start(() -> {
            try {
              m.replyTo().tell(new LogCommand.ReadReply(logs.read(m.file(), m.offset(), m.tailLines(), m.maxBytes()), null));
            } catch (RuntimeException e) {
              m.replyTo().tell(new LogCommand.ReadReply(null, message(e)));
            }
          });
          return Behaviors.same();
        })
        .build();
  }

  private static String message(RuntimeException e) {
    return e instanceof TroupeException || e instanceof UncheckedIOException ? e.getMessage() : e.toString();
  }
}
