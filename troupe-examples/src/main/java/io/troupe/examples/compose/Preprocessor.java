package io.troupe.examples.compose;

import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ResponseStream;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.api.StreamingResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The ingress of {@link ComposeApp}: normalizes {@code ?text=} and asks the {@link Model} through the
 * handle its constructor received.
 * <ul>
 *   <li>{@code GET /compose?text=..} — {@code model.remote(Model::predict, text)}: the composed result;</li>
 *   <li>{@code GET /compose/stream?text=..&n=..} — the model's tokens as they are produced, one line
 *       each (server-sent events when the client sends {@code Accept: text/event-stream}).</li>
 * </ul>
 */
public class Preprocessor {
  private final DeploymentHandle<Model> model;

  public Preprocessor(DeploymentHandle<Model> model) {
    this.model = model;
  }

  public Object handle(ServeRequest request) throws Exception {
    String text = request.queryParam("text").orElse("").trim().toLowerCase(Locale.ROOT);
    if (request.subPath().equals("/stream")) {
      int n;
      try {
        n = Integer.parseInt(request.queryParam("n").orElse("5"));
      } catch (NumberFormatException e) {
        return ServeResponse.text(400, "n must be a whole number");
      }
      boolean sse = request.header("accept").orElse("").contains("text/event-stream");
      ResponseStream<String> tokens = model.stream(Model::tokens, text, Math.max(0, Math.min(n, 1000)));
      return StreamingResponse.of(sse ? tokens : new Lines(tokens));
    }
    return ServeResponse.ok(model.remote(Model::predict, text).get(20, TimeUnit.SECONDS));
  }

  /** Each token as one line of a chunked body; closing it cancels the model's stream. */
  private record Lines(ResponseStream<String> tokens) implements Iterator<String>, AutoCloseable {
    @Override
    public boolean hasNext() {
      return tokens.hasNext();
    }

    @Override
    public String next() {
      return tokens.next() + "\n";
    }

    @Override
    public void close() {
      tokens.close();
    }
  }
}
