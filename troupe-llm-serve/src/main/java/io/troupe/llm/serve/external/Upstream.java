package io.troupe.llm.serve.external;

import io.troupe.llm.serve.ForwardRequest;
import io.troupe.llm.serve.ForwardResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * HTTP to an engine's leader ({@code http://host:port}): whole answers, and streamed ones read as server-sent events
 * and handed on event by event (never buffered). Closing a stream closes the connection, which an OpenAI server takes
 * as the client going away (it aborts the request). Thread-safe.
 */
public final class Upstream {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Duration timeout;

  public Upstream(String host, int port, Duration timeout) {
    this.base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.timeout = timeout;
  }

  public String base() {
    return base;
  }

  private HttpRequest request(ForwardRequest r, boolean stream) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + r.path())).timeout(timeout)
        .header("content-type", "application/json");
    if (stream) {
      b.header("accept", "text/event-stream");
    }
    return r.method().equals("GET") ? b.GET().build()
        : b.method(r.method(), HttpRequest.BodyPublishers.ofByteArray(r.body() == null ? new byte[0] : r.body()))
            .build();
  }

  /** The whole answer. */
  public ForwardResponse call(ForwardRequest r) throws IOException, InterruptedException {
    HttpResponse<byte[]> resp = http.send(request(r, false), HttpResponse.BodyHandlers.ofByteArray());
    return new ForwardResponse(resp.statusCode(), resp.headers().firstValue("content-type").orElse("application/json"),
        resp.headers().firstValue("retry-after").orElse(null), resp.body());
  }

  /** GET {@code path}: its status, or -1 when nothing answers. */
  public int probe(String path, Duration t) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(t).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * A streamed answer: first the head ({@link ForwardResponse} without body), then each event's data as a string
   * (the upstream {@code [DONE]} left out); a non-SSE answer (an error) comes as one string, its whole body.
   */
  public Stream<Object> stream(ForwardRequest r) throws IOException, InterruptedException {
    HttpResponse<InputStream> resp = http.send(request(r, true), HttpResponse.BodyHandlers.ofInputStream());
    String type = resp.headers().firstValue("content-type").orElse("application/json");
    ForwardResponse head = new ForwardResponse(resp.statusCode(), type,
        resp.headers().firstValue("retry-after").orElse(null), new byte[0]);
    InputStream in = resp.body();
    Iterator<Object> body = type.startsWith("text/event-stream") ? new SseEvents(in) : new WholeBody(in);
    Iterator<Object> all = new Iterator<>() {
      boolean headSent;

      @Override
      public boolean hasNext() {
        return !headSent || body.hasNext();
      }

      @Override
      public Object next() {
        if (!headSent) {
          headSent = true;
          return head;
        }
        return body.next();
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(all, Spliterator.ORDERED), false)
        .onClose(() -> {
          try {
            in.close(); // aborts the upstream request when it is still running
          } catch (IOException e) {
            // already closed
          }
        });
  }

  /** The data of each server-sent event, without {@code [DONE]}. */
  private static final class SseEvents implements Iterator<Object> {
    private final BufferedReader reader;
    private String next;
    private boolean done;

    SseEvents(InputStream in) {
      this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (done) {
        return false;
      }
      StringBuilder data = null;
      boolean eof = true;
      try {
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.isEmpty()) {
            if (data != null) {
              eof = false;
              break; // end of one event
            }
            continue;
          }
          if (line.startsWith("data:")) {
            String d = line.substring(5);
            d = d.startsWith(" ") ? d.substring(1) : d;
            data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
          }
          // comments (":") and other fields are not passed on
        }
      } catch (IOException e) {
        throw new UncheckedIOException("the engine's stream broke: " + e.getMessage(), e);
      }
      if (data != null && data.toString().equals("[DONE]")) {
        done = true;
        return false;
      }
      if (eof) {
        done = true;
        throw new UncheckedIOException(new IOException("the engine closed its stream before the end ([DONE])"));
      }
      next = data.toString();
      return true;
    }

    @Override
    public Object next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String n = next;
      next = null;
      return n;
    }
  }

  /** A non-SSE body as one string. */
  private static final class WholeBody implements Iterator<Object> {
    private final InputStream in;
    private boolean read;

    WholeBody(InputStream in) {
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      return !read;
    }

    @Override
    public Object next() {
      if (read) {
        throw new NoSuchElementException();
      }
      read = true;
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
