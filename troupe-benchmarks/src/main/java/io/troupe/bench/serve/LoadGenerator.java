package io.troupe.bench.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop HTTP load: {@code clients} virtual threads share one JDK {@link HttpClient}
 * (HTTP/1.1, pooled keep-alive connections); each sends a GET, waits for the whole answer, and
 * sends the next until {@code requests} have been sent. Non-200 answers and errors are counted.
 */
final class LoadGenerator {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final int clients;

  LoadGenerator(int clients) {
    this.clients = clients;
  }

  Stats.Sample run(String url, int requests) throws InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
    AtomicInteger issued = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<long[]> perClient = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    int[] counts = new int[clients];
    long t0 = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      long[] lat = new long[requests];
      perClient.add(lat);
      int me = c;
      threads.add(Thread.ofVirtual().start(() -> {
        int n = 0;
        while (issued.getAndIncrement() < requests) {
          long s = System.nanoTime();
          try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
              errors.incrementAndGet();
            }
          } catch (Exception e) {
            errors.incrementAndGet();
          }
          lat[n++] = System.nanoTime() - s;
        }
        counts[me] = n;
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    long wall = System.nanoTime() - t0;
    long[] all = new long[requests];
    int k = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(perClient.get(c), 0, all, k, counts[c]);
      k += counts[c];
    }
    return Stats.Sample.of(all, wall, errors.get());
  }
}
