package io.troupe.serve.api;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What an ingress's {@code handle(ServeRequest)} returns instead of a {@link ServeResponse} to
 * stream its body: the proxy sends the status and headers at once, then every chunk as soon as the
 * replica produced it. Chunks are {@code String} (sent UTF-8) or {@code byte[]}.
 *
 * <p>Framing: when {@code content-type} is {@code text/event-stream}, or it is unset and the client
 * sent {@code Accept: text/event-stream}, each chunk becomes one server-sent event
 * ({@code data: <chunk>\n\n}, one {@code data:} line per line of the chunk); otherwise the body is
 * sent with chunked transfer encoding, chunks as they are ({@code text/plain; charset=utf-8} unless
 * set). Not Serializable: it never leaves the replica; the replica streams it.
 *
 * @param status HTTP status code
 * @param headers response headers
 * @param chunks the body: a {@link Stream} (closed at the end) or an {@link Iterator}
 */
public record StreamingResponse(int status, Map<String, String> headers, Object chunks) {
  public StreamingResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("HTTP status must be 100..599, got " + status);
    }
    headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    Objects.requireNonNull(chunks, "chunks");
    if (!(chunks instanceof Stream<?>) && !(chunks instanceof Iterator<?>)) {
      throw new IllegalArgumentException("chunks must be a java.util.stream.Stream or an Iterator, got "
          + chunks.getClass().getName());
    }
  }

  /** 200, chunked (or SSE when the client accepts it). */
  public static StreamingResponse of(Stream<?> chunks) {
    return new StreamingResponse(200, Map.of(), chunks);
  }

  /** 200, chunked (or SSE when the client accepts it). */
  public static StreamingResponse of(Iterator<?> chunks) {
    return new StreamingResponse(200, Map.of(), chunks);
  }

  /** 200 as server-sent events whatever the client asked for. */
  public static StreamingResponse sse(Iterator<?> chunks) {
    return new StreamingResponse(200, Map.of("content-type", "text/event-stream"), chunks);
  }

  public StreamingResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new StreamingResponse(status, h, chunks);
  }
}
