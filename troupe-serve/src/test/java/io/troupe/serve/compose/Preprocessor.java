package io.troupe.serve.compose;

import io.troupe.serve.api.Deployment;
import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ResponseStream;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.api.StreamingResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The ingress of {@link ComposeApp}: normalizes {@code ?text=} and asks the {@link Model} through
 * the handle its constructor received.
 * <ul>
 *   <li>{@code GET /compose?text=..} — {@code model.remote(Model::predict, text)}: the composed result;</li>
 *   <li>{@code GET /compose/stream?text=..&n=..} — {@code model.stream(Model::tokens, ...)} relayed as a
 *       streaming HTTP response (one line per token; SSE when the client accepts it), chunk by chunk
 *       across two nodes;</li>
 *   <li>{@code GET /compose/broken} — a stream whose producer fails after one token.</li>
 * </ul>
 */
@Deployment(numReplicas = 1, numCpus = 3)
public class Preprocessor {
  private final DeploymentHandle<Model> model;

  public Preprocessor(DeploymentHandle<Model> model) {
    this.model = model;
  }

  public Object handle(ServeRequest request) throws Exception {
    String text = request.queryParam("text").orElse("").trim().toLowerCase(Locale.ROOT);
    boolean sse = request.header("accept").orElse("").contains("text/event-stream");
    switch (request.subPath()) {
      case "/stream" -> {
        int n = Integer.parseInt(request.queryParam("n").orElse("5"));
        ResponseStream<String> tokens = model.stream(Model::tokens, text, n);
        return StreamingResponse.of(sse ? tokens : new Lines(tokens));
      }
      case "/broken" -> {
        return StreamingResponse.of(new Lines(model.stream(Model::broken, text)));
      }
      default -> {
        String out = model.remote(Model::predict, text).get(20, TimeUnit.SECONDS);
        return ServeResponse.ok(out);
      }
    }
  }

  /** Each chunk as one line of a chunked body; closing it cancels the model's stream. */
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
