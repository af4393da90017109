package io.troupe.runtime.logs;

import io.troupe.runtime.protocol.CborMessage;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages of a node's log service ({@link LogService}): list its log files, read one. */
public sealed interface LogCommand {
  /** The node's files whose name contains {@code match} (null: all). */
  record ListFiles(String match, ActorRef<Listing> replyTo) implements LogCommand, CborMessage {}

  /** A read of {@code file} (see {@link NodeLogs#read}). */
  record Read(String file, long offset, int tailLines, int maxBytes, ActorRef<ReadReply> replyTo)
      implements LogCommand, CborMessage {}

  record Listing(List<NodeLogs.FileInfo> files, String error) implements CborMessage {}

  /** The chunk read, or {@code error} (no such file, a bad name). */
  record ReadReply(NodeLogs.Chunk chunk, String error) implements CborMessage {}
}
