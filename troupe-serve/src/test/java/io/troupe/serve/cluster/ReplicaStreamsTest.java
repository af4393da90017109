package io.troupe.serve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replica side of streams without a cluster: bounded buffer, batches, end, failure, cancel. */
@Timeout(30)
class ReplicaStreamsTest {
  private final ReplicaStreams streams = new ReplicaStreams("app#D#r1");

  /** An endless producer counting what it produced. */
  private static Iterator<Object> endless(AtomicInteger produced) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Object next() {
        return "c" + produced.getAndIncrement();
      }
    };
  }

  @Test
  void theProducerStopsAtTheBufferUntilPulled() throws Exception {
    AtomicInteger produced = new AtomicInteger();
    CountDownLatch finished = new CountDownLatch(1);
    long id = streams.open(endless(produced), null, finished::countDown);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (produced.get() <= ReplicaStreams.BUFFER && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    ChunkBatch b = streams.next(id, 10, 1000);
    assertThat(b.chunks()).containsExactly("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
    assertThat(produced.get()).isLessThanOrEqualTo(ReplicaStreams.BUFFER + 12); // buffer + one in hand, never all
    assertThat(streams.cancel(id)).isTrue();
    assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(streams.next(id, 10, 10).done()).isTrue(); // unknown after cancel
  }

  @Test
  void endAndFailureAreReportedAfterTheChunksBeforeThem() throws Exception {
    AtomicInteger finishes = new AtomicInteger();
    long ok = streams.open(List.of("a", "b").iterator(), null, finishes::incrementAndGet);
    ChunkBatch all = pullUntilDone(ok);
    assertThat(all.chunks()).containsExactly("a", "b");
    assertThat(all.errorId()).isNull();

    Iterator<Object> failing = IntStream.range(0, 2).<Object>mapToObj(i -> {
      if (i == 1) {
        throw new IllegalStateException("producer broke");
      }
      return "x";
    }).iterator();
    long bad = streams.open(failing, null, finishes::incrementAndGet);
    ChunkBatch b = pullUntilDone(bad);
    assertThat(b.chunks()).containsExactly("x");
    assertThat(b.errorId()).hasSize(16);
    assertThat(b.error()).contains("producer broke");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (finishes.get() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(finishes.get()).isEqualTo(2);
    assertThat(streams.open()).isZero();
  }

  private ChunkBatch pullUntilDone(long id) throws InterruptedException {
    java.util.List<Object> chunks = new java.util.ArrayList<>();
    while (true) {
      ChunkBatch b = streams.next(id, 64, 1000);
      chunks.addAll(b.chunks());
      if (b.done()) {
        return new ChunkBatch(chunks, true, b.errorId(), b.error());
      }
    }
  }

  @Test
  void theProducerLogsWithTheRequestsIdsOfTheCallThatOpenedTheStream() throws Exception {
    org.slf4j.MDC.put("request_id", "req-stream-1");
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    long id;
    try {
      id = streams.open(java.util.stream.Stream.of("a", "b").peek(x -> seen.add(org.slf4j.MDC.get("request_id")))
          .iterator(), null, () -> { });
    } finally {
      org.slf4j.MDC.remove("request_id");
    }
    ChunkBatch b = streams.next(id, 10, 5000);
    while (!b.done()) {
      b = streams.next(id, 10, 5000);
    }
    assertThat(seen).containsExactly("req-stream-1", "req-stream-1");
  }
}
