package io.troupe.serve.api;

import java.util.Iterator;

/**
 * The chunks of a streaming {@link DeploymentHandle} call, in the order the callee produced them
 * (Ray Serve's {@code DeploymentResponseGenerator}). {@link #hasNext()} blocks until the next chunk
 * arrives or the stream ends (use it from a virtual thread); chunks are fetched in small batches as
 * they are produced, never the whole stream at once. A failure of the producer surfaces as a
 * {@link DeploymentCallException} from {@code hasNext}/{@code next} after the chunks sent before it.
 * {@link #close()} before the end cancels the producer. Not thread-safe: one consumer.
 */
public interface ResponseStream<R> extends Iterator<R>, AutoCloseable {
  @Override
  void close();
}
