package io.troupe.examples.compose;

import io.troupe.runtime.api.ActorContext;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The second stage of {@link ComposeApp}: a stand-in "model" with a plain method ({@link #predict})
 * and a streaming one ({@link #tokens} returns a {@link Stream} — the streaming-method convention),
 * producing one token every 200 ms so the stream is visibly incremental.
 */
public class Model {
  public Model() {}

  /** "model(text)@node". */
  public String predict(String text) {
    return "model(" + text + ")@" + ActorContext.current().map(c -> c.nodeId().value()).orElse("?");
  }

  /** {@code n} tokens "text-0".."text-(n-1)", produced lazily, 200 ms apart. */
  public Stream<String> tokens(String text, Integer n) {
    return IntStream.range(0, n).mapToObj(i -> {
      if (i > 0) {
        LockSupport.parkNanos(200_000_000L); // pretend to compute the next token
      }
      return text + "-" + i;
    });
  }
}
