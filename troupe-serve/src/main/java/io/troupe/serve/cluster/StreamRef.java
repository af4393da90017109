package io.troupe.serve.cluster;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a replica answers ({@link ReplicaResult.Ok#value()}) when the user's method returned a stream:
 * the id of the stream session it opened ({@link ReplicaStreams}); the caller pulls chunks with
 * {@code ReplicaActor.nextChunks}. For an HTTP ingress also the status and headers to send first.
 * Immutable; Serializable (crosses nodes).
 */
public record StreamRef(long streamId, String replica, int status, Map<String, String> headers)
    implements Serializable {
  public StreamRef {
    headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }
}
