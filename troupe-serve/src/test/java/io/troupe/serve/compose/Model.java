package io.troupe.serve.compose;

import io.troupe.runtime.api.ActorContext;
import io.troupe.serve.api.Deployment;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The second stage of {@link ComposeApp}: a "model" with a plain method ({@link #predict}) and a
 * streaming one ({@link #tokens}, which returns a {@link Stream}: the streaming-method convention).
 * 3 CPUs on 4-CPU nodes, so it never shares a node with the {@link Preprocessor}.
 *
 * <p>Test hooks (the cluster runs in the test's JVM): {@link #PRODUCED} counts tokens produced, and
 * token 1 is only produced after {@link #release} is counted down, so a test can prove that the
 * client saw token 0 before the producer made the rest.
 */
@Deployment(numReplicas = 1, numCpus = 3)
public class Model {
  public static final AtomicInteger PRODUCED = new AtomicInteger();
  public static volatile CountDownLatch release = new CountDownLatch(0);
  static final Duration RELEASE_WAIT = Duration.ofSeconds(20);

  public Model() {
  }

  /** "model(text)@node". */
  public String predict(String text) {
    return "model(" + text + ")@" + node();
  }

  /** {@code n} tokens "text-0".."text-(n-1)", lazily; token 1 waits for {@link #release}. */
  public Stream<String> tokens(String text, Integer n) {
    CountDownLatch gate = release;
    return IntStream.range(0, n).mapToObj(i -> {
      if (i == 1) {
        try {
          if (!gate.await(RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("test never released token 1");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("cancelled");
        }
      }
      PRODUCED.incrementAndGet();
      return text + "-" + i;
    });
  }

  /** Fails after one token (a producer error mid-stream). */
  public Stream<String> broken(String text) {
    return IntStream.range(0, 2).mapToObj(i -> {
      if (i == 1) {
        throw new IllegalStateException("broken after one token");
      }
      return text + "-" + i;
    });
  }

  public String node() {
    return ActorContext.current().map(c -> c.nodeId().value()).orElse("?");
  }
}
