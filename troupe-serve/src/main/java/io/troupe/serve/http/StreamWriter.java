package io.troupe.serve.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.cluster.RemoteStream;
import io.troupe.serve.cluster.StreamRef;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a streaming response to the HTTP client as the replica produces it: status and headers
 * first, then every chunk, flushed whenever no further chunk is already waiting (so each chunk
 * reaches the client as soon as it exists, and bursts go out together). Server-sent events when the
 * response's {@code content-type} is {@code text/event-stream}, or it has none and the client
 * accepts {@code text/event-stream}; otherwise chunked transfer encoding (no content-length).
 *
 * <p>A producer failure after the headers went out: for SSE an {@code event: error} with the error
 * id, then the end of the stream; for chunked bodies the connection is broken off without the final
 * chunk, so the client sees an incomplete body. A client that disconnects cancels the producer.
 * Runs on the request's virtual thread.
 */
final class StreamWriter {
  private static final System.Logger LOG = System.getLogger(StreamWriter.class.getName());
  static final String SSE = "text/event-stream";

  private StreamWriter() {
  }

  static void write(ServeRequest request, ServerResponse res, RemoteStream<?> stream) {
    StreamRef ref = stream.ref();
    String contentType = header(ref.headers(), "content-type");
    boolean sse = contentType != null ? contentType.toLowerCase(Locale.ROOT).startsWith(SSE)
        : request.header("accept").map(a -> a.toLowerCase(Locale.ROOT).contains(SSE)).orElse(false);
    res.status(Status.create(ref.status()));
    ref.headers().forEach((k, v) -> res.header(HeaderNames.create(k), v));
    if (contentType == null) {
      res.header(HeaderNames.CONTENT_TYPE, sse ? SSE : "text/plain; charset=utf-8");
    }
    if (sse) {
      res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    }
    OutputStream out = res.outputStream();
    try {
      while (true) {
        Object chunk;
        try {
          if (!stream.hasNext()) {
            break;
          }
          chunk = stream.next();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "streaming response of " + ref.replica() + " failed mid-way", e);
          if (!sse) {
            throw e; // break the connection off: the client must not take a truncated body as complete
          }
          out.write(event("error", "{\"error\": " + HttpProxy.quote(String.valueOf(e.getMessage())) + "}"));
          break;
        }
        out.write(sse ? event(null, text(chunk)) : bytes(chunk));
        if (stream.buffered() == 0) {
          out.flush();
        }
      }
      out.close();
    } catch (IOException | UncheckedIOException | io.helidon.webserver.ServerConnectionException e) {
      // Helidon reports a peer that went away as ServerConnectionException (wrapping the IOException)
      LOG.log(System.Logger.Level.DEBUG, "client went away during a streaming response; cancelling it", e);
      stream.close();
    }
  }

  private static String header(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  static byte[] bytes(Object chunk) {
    return chunk instanceof byte[] b ? b : text(chunk).getBytes(StandardCharsets.UTF_8);
  }

  static String text(Object chunk) {
    return chunk instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(chunk);
  }

  /** One server-sent event: every line of {@code data} as a {@code data:} line, then a blank line. */
  static byte[] event(String name, String data) {
    StringBuilder b = new StringBuilder();
    if (name != null) {
      b.append("event: ").append(name).append('\n');
    }
    for (String line : data.split("\r\n|\r|\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
  }
}
