package io.troupe.serve.cluster;

import java.io.Serializable;
import java.util.List;

/**
 * One pull of a stream ({@code ReplicaActor.nextChunks}): the chunks produced since the last pull
 * (possibly none when the wait ran out), and whether the stream ended — normally, or with the
 * user's error ({@code errorId} non-null). Immutable; Serializable (crosses nodes).
 */
public record ChunkBatch(List<Object> chunks, boolean done, String errorId, String error) implements Serializable {
  public ChunkBatch {
    chunks = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(chunks));
  }
}
