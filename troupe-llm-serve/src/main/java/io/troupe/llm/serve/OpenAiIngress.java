package io.troupe.llm.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.serve.api.BackPressureException;
import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ResponseStream;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import io.troupe.serve.api.StreamingResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The OpenAI-compatible ingress: {@code GET /v1/models}, {@code POST /v1/completions},
 * {@code POST /v1/chat/completions}, each routed by the request's {@code model} to that model's
 * {@link LlmServer} through a {@link DeploymentHandle} with the prompt as routing key ({@link RoutingKeys}: the
 * server deployment's prefix-aware router sends requests that share a prompt prefix to one replica).
 * {@code stream: true} answers
 * {@code text/event-stream} ({@code data: {chunk}} events, then {@code data: [DONE]}); errors use OpenAI's
 * shape with status 400 (invalid request), 404 (unknown model or route), 405, 500.
 *
 * <p>Constructed by {@link LlmApps} with the model ids (in order) and one handle per model — the runtime
 * only turns top-level constructor arguments into handles, hence one constructor per model count (1..4).
 * Stateless apart from the handles; thread-safe.
 */
public final class OpenAiIngress {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CALL_TIMEOUT_S = 600;

  private final Map<String, DeploymentHandle<LlmServer>> models = new LinkedHashMap<>();

  public OpenAiIngress(List<String> modelIds, DeploymentHandle<LlmServer> m0) {
    this(modelIds, List.of(m0));
  }

  public OpenAiIngress(List<String> modelIds, DeploymentHandle<LlmServer> m0, DeploymentHandle<LlmServer> m1) {
    this(modelIds, List.of(m0, m1));
  }

  public OpenAiIngress(List<String> modelIds, DeploymentHandle<LlmServer> m0, DeploymentHandle<LlmServer> m1,
      DeploymentHandle<LlmServer> m2) {
    this(modelIds, List.of(m0, m1, m2));
  }

  public OpenAiIngress(List<String> modelIds, DeploymentHandle<LlmServer> m0, DeploymentHandle<LlmServer> m1,
      DeploymentHandle<LlmServer> m2, DeploymentHandle<LlmServer> m3) {
    this(modelIds, List.of(m0, m1, m2, m3));
  }

  private OpenAiIngress(List<String> modelIds, List<DeploymentHandle<LlmServer>> handles) {
    if (modelIds.size() != handles.size()) {
      throw new IllegalArgumentException(modelIds.size() + " model ids but " + handles.size() + " handles");
    }
    for (int i = 0; i < handles.size(); i++) {
      models.put(modelIds.get(i), handles.get(i));
    }
  }

  public Object handle(ServeRequest req) {
    String path = req.subPath();
    try {
      return switch (path) {
        case "/v1/models" -> req.method().equals("GET") ? listModels() : methodNotAllowed("GET");
        case "/v1/completions" -> req.method().equals("POST") ? generate(req, false) : methodNotAllowed("POST");
        case "/v1/chat/completions" -> req.method().equals("POST") ? generate(req, true) : methodNotAllowed("POST");
        case "/v1/embeddings" -> req.method().equals("POST") ? embeddings(req) : methodNotAllowed("POST");
        default -> error(new OpenAiError(404, "no route " + req.method() + " " + path, "invalid_request_error", null,
            "unknown_url"));
      };
    } catch (BadRequest e) {
      return error(e.error);
    }
  }

  private ServeResponse listModels() {
    return ServeResponse.json(200, json(OpenAiWire.ModelList.of(models.keySet())));
  }

  private Object generate(ServeRequest req, boolean chat) {
    JsonNode body;
    try {
      body = JSON.readTree(req.body());
    } catch (java.io.IOException e) {
      throw new BadRequest(OpenAiError.invalid(null, "the body is not valid JSON: " + e.getMessage()));
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest(OpenAiError.invalid(null, "the body must be a JSON object"));
    }
    String model = text(body, "model", true);
    DeploymentHandle<LlmServer> handle = models.get(model);
    if (handle == null) {
      return error(new OpenAiError(404, "The model '" + model + "' does not exist", "invalid_request_error", "model",
          "model_not_found"));
    }
    if (external(model, handle)) {
      return forward(req, body, model, handle, RoutingKeys.ofBody(body, chat));
    }
    CompletionParams params = parse(body, chat);
    handle = handle.options(handle.callOptions().withRoutingKey(RoutingKeys.of(params))); // prefix-aware routing
    boolean stream = body.path("stream").asBoolean(false);
    if (!stream) {
      CompletionOutcome out;
      try {
        out = handle.remote(LlmServer::complete, params).get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof BackPressureException bp) {
          return error(OpenAiError.overloaded(model, bp.getMessage()));
        }
        return error(OpenAiError.server(serverFailure(model, withGangRestart(handle, String.valueOf(cause.getMessage())),
            false)));
      }
      return switch (out) {
        case OpenAiError e -> error(e);
        case CompletionResult r -> ServeResponse.json(200, json(OpenAiWire.Completion.of(r, chat)));
      };
    }
    ResponseStream<String> chunks;
    String first;
    try {
      chunks = handle.stream(LlmServer::stream, params);
    } catch (BackPressureException bp) {
      return error(OpenAiError.overloaded(model, bp.getMessage()));
    } catch (RuntimeException e) {
      return error(OpenAiError.server(serverFailure(model, withGangRestart(handle, String.valueOf(e.getMessage())),
          false)));
    }
    try {
      if (!chunks.hasNext()) {
        chunks.close();
        return error(OpenAiError.server("the model server produced nothing"));
      }
      first = chunks.next();
    } catch (RuntimeException e) { // the server failed before its first chunk (e.g. its rank's node died)
      chunks.close();
      return error(OpenAiError.server(serverFailure(model, withGangRestart(handle, String.valueOf(e.getMessage())),
          false)));
    }
    if (first.startsWith("{\"error\"")) {
      chunks.close();
      return new ServeResponse(statusOf(first), Map.of("content-type", "application/json"),
          first.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    DeploymentHandle<LlmServer> server = handle;
    return StreamingResponse.sse(new WithDone(first, chunks,
        cause -> midStreamFailure(model, withGangRestart(server, cause))));
  }

  /** {@code POST /v1/embeddings}: forwarded to a model served by an external engine; the built-in engine has none. */
  private Object embeddings(ServeRequest req) {
    JsonNode body = parseBody(req);
    String model = text(body, "model", true);
    DeploymentHandle<LlmServer> handle = models.get(model);
    if (handle == null) {
      return error(new OpenAiError(404, "The model '" + model + "' does not exist", "invalid_request_error", "model",
          "model_not_found"));
    }
    if (!external(model, handle)) {
      return error(OpenAiError.invalid("model", "model '" + model + "' runs on the built-in engine, which serves no "
          + "embeddings; serve an embedding model with engine: vllm, sglang, llama_cpp or process"));
    }
    return forward(req, body, model, handle, null);
  }

  private static JsonNode parseBody(ServeRequest req) {
    JsonNode body;
    try {
      body = JSON.readTree(req.body());
    } catch (java.io.IOException e) {
      throw new BadRequest(OpenAiError.invalid(null, "the body is not valid JSON: " + e.getMessage()));
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest(OpenAiError.invalid(null, "the body must be a JSON object"));
    }
    return body;
  }

  /** Models whose server runs an external engine (asked once per model, then cached). */
  private final Map<String, Boolean> externalModels = new java.util.concurrent.ConcurrentHashMap<>();

  private boolean external(String model, DeploymentHandle<LlmServer> handle) {
    Boolean known = externalModels.get(model);
    if (known != null) {
      return known;
    }
    try {
      List<Map<String, Object>> ms = handle.<List<Map<String, Object>>>remote("models").get(CALL_TIMEOUT_S,
          TimeUnit.SECONDS);
      boolean ext = !ms.isEmpty() && ms.get(0).containsKey("engine");
      externalModels.put(model, ext);
      return ext;
    } catch (Exception e) {
      return false; // not known yet (the server is starting): the built-in path answers with its error
    }
  }

  /**
   * Forwards the request as the client sent it to the model's external engine (its leader, through the model's
   * replica, which belongs to the engine's gang and so never reaches a leader of another epoch). A stream is passed
   * on event by event; closing it (the client went away) closes the upstream request.
   */
  private Object forward(ServeRequest req, JsonNode body, String model, DeploymentHandle<LlmServer> handle, String routingKey) {
    if (routingKey != null) {
      handle = handle.options(handle.callOptions().withRoutingKey(routingKey)); // prefix-aware across replicas
    }
    ForwardRequest fr = new ForwardRequest(req.method(), req.subPath(), req.body());
    if (!body.path("stream").asBoolean(false)) {
      ForwardResponse r;
      try {
        r = handle.<ForwardResponse>remote("forward", fr).get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof BackPressureException bp) {
          return error(OpenAiError.overloaded(model, bp.getMessage()));
        }
        return error(OpenAiError.server(serverFailure(model, withGangRestart(handle, String.valueOf(cause.getMessage())),
            false)));
      }
      return passThrough(r, r.body());
    }
    ResponseStream<Object> chunks;
    Object head;
    try {
      chunks = handle.stream("forwardStream", fr);
    } catch (BackPressureException bp) {
      return error(OpenAiError.overloaded(model, bp.getMessage()));
    } catch (RuntimeException e) {
      return error(OpenAiError.server(serverFailure(model, withGangRestart(handle, String.valueOf(e.getMessage())),
          false)));
    }
    String first;
    try {
      head = chunks.hasNext() ? chunks.next() : null;
      if (!(head instanceof ForwardResponse h)) {
        chunks.close();
        return error(OpenAiError.server("the server of model '" + model + "' answered no stream"));
      }
      if (h.status() != 200 || h.body().length > 0) {
        StringBuilder b = new StringBuilder(new String(h.body(), java.nio.charset.StandardCharsets.UTF_8));
        while (chunks.hasNext()) {
          b.append(chunks.next());
        }
        chunks.close();
        return passThrough(h, b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      if (!chunks.hasNext()) {
        chunks.close();
        return error(OpenAiError.server("the engine of model '" + model + "' ended its stream without a chunk"));
      }
      first = (String) chunks.next();
    } catch (RuntimeException e) {
      chunks.close();
      return error(OpenAiError.server(serverFailure(model, withGangRestart(handle, String.valueOf(e.getMessage())),
          false)));
    }
    DeploymentHandle<LlmServer> server = handle;
    @SuppressWarnings({"unchecked", "rawtypes"})
    ResponseStream<String> rest = (ResponseStream) chunks; // after the head every element is a String
    return StreamingResponse.sse(new WithDone(first, rest, cause -> midStreamFailure(model, withGangRestart(server,
        cause))));
  }

  /** The engine's answer as it is: status, content type, Retry-After. */
  private static ServeResponse passThrough(ForwardResponse r, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", r.contentType());
    if (r.retryAfter() != null) {
      headers.put("retry-after", r.retryAfter());
    } else if (r.status() == 429 || r.status() == 503) {
      headers.put("retry-after", "1");
    }
    return new ServeResponse(r.status(), headers, body);
  }

  private static int statusOf(String errorJson) {
    try {
      return JSON.readTree(errorJson).path("error").path("type").asText().equals("invalid_request_error") ? 400 : 500;
    } catch (JsonProcessingException e) {
      return 500;
    }
  }

  private static CompletionParams parse(JsonNode body, boolean chat) {
    Integer maxTokens = null;
    JsonNode mt = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
    if (mt != null && !mt.isNull()) {
      if (!mt.canConvertToInt() || !mt.isIntegralNumber()) {
        throw new BadRequest(OpenAiError.invalid("max_tokens", "max_tokens must be an integer"));
      }
      maxTokens = mt.asInt();
    }
    double temperature = number(body, "temperature", 1.0);
    double topP = number(body, "top_p", 1.0);
    Long seed = body.hasNonNull("seed") ? body.get("seed").asLong() : null;
    JsonNode n = body.get("n");
    if (n != null && !n.isNull() && n.asInt() != 1) {
      throw new BadRequest(OpenAiError.invalid("n", "only n = 1 is supported"));
    }
    List<String> stop = stop(body.get("stop"));
    if (!chat) {
      JsonNode prompt = body.get("prompt");
      if (prompt == null || !prompt.isTextual()) {
        throw new BadRequest(OpenAiError.invalid("prompt", "prompt must be a string (token arrays and batches "
            + "are not supported yet)"));
      }
      return new CompletionParams(prompt.asText(), null, maxTokens, temperature, topP, seed, stop);
    }
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray()) {
      throw new BadRequest(OpenAiError.invalid("messages", "messages must be an array"));
    }
    List<CompletionParams.Message> out = new ArrayList<>();
    for (JsonNode m : messages) {
      JsonNode content = m.get("content");
      if (!m.path("role").isTextual() || content == null || !content.isTextual()) {
        throw new BadRequest(OpenAiError.invalid("messages", "each message needs a string role and string content"));
      }
      out.add(new CompletionParams.Message(m.get("role").asText(), content.asText()));
    }
    return new CompletionParams(null, out, maxTokens, temperature, topP, seed, stop);
  }

  /** OpenAI's {@code stop}: null, a string, or an array of up to 4 non-empty strings. */
  static List<String> stop(JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (stop.isTextual()) {
      out.add(stop.asText());
    } else if (stop.isArray()) {
      for (JsonNode s : stop) {
        if (!s.isTextual()) {
          throw new BadRequest(OpenAiError.invalid("stop", "stop must be a string or an array of strings, got "
              + stop));
        }
        out.add(s.asText());
      }
    } else {
      throw new BadRequest(OpenAiError.invalid("stop", "stop must be a string or an array of strings, got " + stop));
    }
    if (out.size() > CompletionParams.MAX_STOP) {
      throw new BadRequest(OpenAiError.invalid("stop", "at most " + CompletionParams.MAX_STOP
          + " stop sequences, got " + out.size()));
    }
    if (out.stream().anyMatch(String::isEmpty)) {
      throw new BadRequest(OpenAiError.invalid("stop", "stop sequences must not be empty strings"));
    }
    return out;
  }

  private static double number(JsonNode body, String field, double dflt) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw new BadRequest(OpenAiError.invalid(field, field + " must be a number"));
    }
    return v.asDouble();
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      if (required) {
        throw new BadRequest(OpenAiError.invalid(field, field + " is required and must be a string"));
      }
      return null;
    }
    return v.asText();
  }

  private static ServeResponse methodNotAllowed(String allowed) {
    return error(new OpenAiError(405, "method not allowed; use " + allowed, "invalid_request_error", null, null))
        .withHeader("allow", allowed);
  }

  private static ServeResponse error(OpenAiError e) {
    ServeResponse r = ServeResponse.json(e.status(), json(e.body()));
    return e.status() == 503 ? r.withHeader("retry-after", "1") : r;
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request refused before reaching a model. */
  private static final class BadRequest extends RuntimeException {
    final OpenAiError error;

    BadRequest(OpenAiError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }
  }

  /**
   * The first chunk (already pulled), the rest of the model's stream, then {@code [DONE]}; closes the stream. When
   * the model's stream breaks mid-way (its replica died or was restarted with its gang) the last chunk is an error
   * in OpenAI's shape ({@code {"error": {"message", "type": "server_error", ...}}}, which the official clients raise)
   * instead of {@code [DONE]}.
   */
  private static final class WithDone implements Iterator<String>, AutoCloseable {
    private String first;
    private final ResponseStream<String> rest;
    private final java.util.function.UnaryOperator<String> describeFailure;
    private boolean done;

    WithDone(String first, ResponseStream<String> rest, java.util.function.UnaryOperator<String> describeFailure) {
      this.first = first;
      this.rest = rest;
      this.describeFailure = describeFailure;
    }

    @Override
    public boolean hasNext() {
      return !done;
    }

    @Override
    public String next() {
      if (done) {
        throw new NoSuchElementException();
      }
      if (first != null) {
        String f = first;
        first = null;
        return f;
      }
      try {
        if (rest.hasNext()) {
          return rest.next();
        }
      } catch (RuntimeException e) {
        done = true;
        rest.close();
        return json(OpenAiError.server(describeFailure.apply(String.valueOf(e.getMessage()))).body());
      }
      done = true;
      rest.close();
      return "[DONE]";
    }

    @Override
    public void close() {
      rest.close();
    }
  }

  /**
   * Why a call to a model's server failed: the failure's own words, and the ranks lost with their bundles when
   * the replica's gang restarted because nodes died (data from the group's
   * {@link PlacementGroupInfo.GangRestart#lostBundles()}, never read back out of the text).
   */
  record ServerFailure(String cause, List<Integer> lostRanks) {
    ServerFailure {
      lostRanks = List.copyOf(lostRanks);
    }
  }

  /**
   * The failure of a call to {@code handle}'s deployment, with its replica's gang restart when one happened in the
   * last {@link #RECENT_RESTART}: asks the cluster (this ingress runs as a replica); without an answer within 3 s,
   * {@code cause} alone.
   */
  private static ServerFailure withGangRestart(DeploymentHandle<LlmServer> handle, String cause) {
    Optional<ActorContext> ctx = ActorContext.current();
    if (ctx.isEmpty()) {
      return new ServerFailure(cause, List.of());
    }
    String marker = handle.deploymentId().app() + "#" + handle.deploymentId().name() + "#";
    Instant recent = Instant.now().minus(RECENT_RESTART);
    try {
      for (PlacementGroupInfo g : ctx.get().troupe().placementGroups().get(3, TimeUnit.SECONDS)) {
        Optional<PlacementGroupInfo.GangRestart> r = g.lastGangRestart();
        if (g.name().orElse("").contains(marker) && r.isPresent() && r.get().at().isAfter(recent)) {
          return new ServerFailure(cause + "; the replica's placement group " + g.id().value()
              + " restarted as a gang to epoch " + r.get().epoch() + " after: " + r.get().cause(),
              r.get().lostBundles());
        }
      }
    } catch (Exception e) {
      // no enrichment: the cause alone still says what failed
    }
    return new ServerFailure(cause, List.of());
  }

  static final java.time.Duration RECENT_RESTART = java.time.Duration.ofMinutes(2);

  /**
   * The message of a model stream that broke mid-way. When its replica's gang restarted because bundles were lost,
   * it names the ranks that were lost with them: an LLM replica runs rank {@code i} in bundle {@code i}.
   */
  static String midStreamFailure(String model, ServerFailure failure) {
    return serverFailure(model, failure, true);
  }

  /** The message of a failed call to a model's server (see {@link #midStreamFailure}). */
  static String serverFailure(String model, ServerFailure failure, boolean midStream) {
    StringBuilder sb = new StringBuilder("the server of model '").append(model).append("' failed")
        .append(midStream ? " mid-stream" : "");
    if (!failure.lostRanks().isEmpty()) {
      sb.append(": lost rank(s) ").append(failure.lostRanks().stream().map(String::valueOf)
              .collect(java.util.stream.Collectors.joining(", ")))
          .append(" (the bundle of each rank was on a node that died; ")
          .append("the replica and its ranks restart together, retry shortly)");
    }
    return sb.append(": ").append(failure.cause()).toString();
  }
}
