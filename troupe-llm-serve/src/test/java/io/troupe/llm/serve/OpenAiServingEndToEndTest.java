package io.troupe.llm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.chat.ChatTemplate;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.model.RandomModelWriter;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.llm.tokenizer.Tokenizer;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ServeExtension;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenAI-compatible application end to end on a 2-worker {@link LocalCluster}: a config PUT to the head's
 * REST API ({@code import_path: io.troupe.llm.serve.LlmApps:fromArgs}) serving a tiny random model; HTTP
 * through the proxy to the ingress, a handle call to the model's {@link LlmServer}, and back. Greedy output
 * is compared with a local {@link LlmEngine} run on the same model folder.
 */
@Timeout(90)
class OpenAiServingEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String PROMPT = "hello world";
  private static final int MAX_TOKENS = 12;
  private static LocalCluster cluster;
  private static Path model;
  private static Tokenizer tokenizer;
  private static String base;

  @BeforeAll
  static void deploy() throws Exception {
    model = Files.createTempDirectory("llm-serve-model");
    RandomModelWriter.write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), model);
    tokenizer = Tokenizer.fromDirectory(model);
    int port = FreePorts.pick();
    cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).gpusPerWorker(2)
        .extension(ServeExtension.create()).build());
    String api = cluster.head().dashboardUrl() + "/api/serve/applications/";
    base = "http://127.0.0.1:" + port;
    String config = """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: %d, request_timeout_s: 60}
        applications:
          - name: llm
            route_prefix: /
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            args:
              models:
                - {model_id: tiny, model_source: '%s', max_tokens: 8}
          - name: llm-tp2
            route_prefix: /tp2
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            args:
              models:
                - {model_id: tiny, model_source: '%s', tensor_parallel_size: 2, num_gpus_per_rank: 1}
            deployments:
              - name: LlmServer-tiny
                placement_group_strategy: STRICT_SPREAD   # alone: the bundles come from the model config
          - name: llm-narrow
            route_prefix: /narrow
            import_path: io.troupe.llm.serve.LlmApps:fromArgs
            args:
              models:
                - {model_id: tiny, model_source: '%s'}
            deployments:
              - {name: LlmServer-tiny, max_ongoing_requests: 1, max_queued_requests: 1}
        """.formatted(port, model.toString(), model.toString(), model.toString());
    HttpResponse<String> put = send("PUT", api, config);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    Poll.upTo(Duration.ofSeconds(40)).until("apps llm, llm-tp2 and llm-narrow RUNNING",
        () -> JSON.readTree(send("GET", api, null).body()),
        st -> st.path("applications").path("llm").path("status").asText().equals("RUNNING")
            && st.path("applications").path("llm-tp2").path("status").asText().equals("RUNNING")
            && st.path("applications").path("llm-narrow").path("status").asText().equals("RUNNING"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Greedy text of the same model run locally, as the reference. */
  private static String localGreedy(int[] ids, int maxTokens) throws Exception {
    CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
    try (LlmEngine engine = new LlmEngine(SingleRankExecutor.load(model, RankOptions.defaults()),
        EngineConfig.defaults(), t -> tokenizer.decode(t, true), InstantSource.system(), RandomGenerator.getDefault())) {
      engine.start();
      engine.submit(new GenerationRequest("ref", ids, SamplingParams.greedy(maxTokens)), ev -> {
        if (ev instanceof GenerationEvent.Finished f) {
          done.complete(f);
        }
      });
      return tokenizer.decode(done.get(30, TimeUnit.SECONDS).outputTokens(), true);
    }
  }

  @Test
  void listsTheModel() throws Exception {
    HttpResponse<String> r = send("GET", base + "/v1/models", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("data")).hasSize(1);
    assertThat(body.path("data").get(0).path("id").asText()).isEqualTo("tiny");
  }

  @Test
  void completionMatchesALocalGreedyRunAndStreamingMatchesIt() throws Exception {
    String expected = localGreedy(tokenizer.encode(PROMPT, true), MAX_TOKENS);
    String req = """
        {"model": "tiny", "prompt": "%s", "max_tokens": %d, "temperature": 0}""".formatted(PROMPT, MAX_TOKENS);
    HttpResponse<String> r = send("POST", base + "/v1/completions", req);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("text_completion");
    JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("text").asText()).isEqualTo(expected);
    assertThat(choice.path("finish_reason").asText()).isIn("stop", "length");
    JsonNode usage = body.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(tokenizer.encode(PROMPT, true).length);
    assertThat(usage.path("total_tokens").asInt())
        .isEqualTo(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());

    String streamReq = req.replace("}", ", \"stream\": true}");
    HttpResponse<String> s = send("POST", base + "/v1/completions", streamReq);
    assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
    assertThat(s.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    List<String> data = new ArrayList<>();
    for (String line : s.body().split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    assertThat(data).isNotEmpty();
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode c = JSON.readTree(d).path("choices").get(0);
      text.append(c.path("text").asText());
      if (!c.path("finish_reason").isNull()) {
        finish = c.path("finish_reason").asText();
      }
    }
    assertThat(text.toString()).isEqualTo(expected);
    assertThat(finish).isEqualTo(choice.path("finish_reason").asText());
  }

  @Test
  void tensorParallelTwoRanksInTheReplicasBundlesGiveTheSameGreedyText() throws Exception {
    String expected = localGreedy(tokenizer.encode(PROMPT, true), MAX_TOKENS);
    HttpResponse<String> r = send("POST", base + "/tp2/v1/completions", """
        {"model": "tiny", "prompt": "%s", "max_tokens": %d, "temperature": 0}""".formatted(PROMPT, MAX_TOKENS));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("choices").get(0).path("text").asText()).isEqualTo(expected);
    // the ranks went into the replica's own reservation: the launcher created no group of its own
    List<PlacementGroupInfo> groups = cluster.head().client().placementGroups().join();
    assertThat(groups).hasSize(1);
    // placement_group_strategy alone in the config: the bundles were derived from the model config (one per rank,
    // bundle 0 with a CPU more for the replica, num_gpus_per_rank GPUs each), spread over the two workers
    PlacementGroupInfo g = groups.get(0);
    assertThat(g.strategy()).isEqualTo(PlacementStrategy.STRICT_SPREAD);
    assertThat(g.bundles()).hasSize(2);
    assertThat(g.bundles().get(0).bundle().resources().toMap()).isEqualTo(java.util.Map.of("CPU", 2.0, "GPU", 1.0));
    assertThat(g.bundles().get(1).bundle().resources().toMap()).isEqualTo(java.util.Map.of("CPU", 1.0, "GPU", 1.0));
    assertThat(g.bundles().get(0).node()).isPresent().isNotEqualTo(g.bundles().get(1).node());
    assertThat(g.bundles().get(0).gpuIds()).hasSize(1);
  }

  @Test
  void stopStringsEndTheTextBeforeTheStopStreamingAndNot() throws Exception {
    String full = localGreedy(tokenizer.encode(PROMPT, true), 24);
    assertThat(full.length()).as("greedy text of the test model: %s", full).isGreaterThanOrEqualTo(8);
    String stop = full.substring(4, 6);
    String expected = full.substring(0, full.indexOf(stop));
    for (String stopJson : List.of(JSON.writeValueAsString(stop), JSON.writeValueAsString(List.of("\u0000never", stop)))) {
      String req = """
          {"model": "tiny", "prompt": "%s", "max_tokens": 24, "temperature": 0, "stop": %s}"""
          .formatted(PROMPT, stopJson);
      HttpResponse<String> r = send("POST", base + "/v1/completions", req);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode choice = JSON.readTree(r.body()).path("choices").get(0);
      assertThat(choice.path("text").asText()).isEqualTo(expected);
      assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");

      HttpResponse<String> s = send("POST", base + "/v1/completions", req.replace("}", ", \"stream\": true}"));
      assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
      StringBuilder text = new StringBuilder();
      String finish = null;
      for (String line : s.body().split("\n")) {
        if (line.startsWith("data: {")) {
          JsonNode c = JSON.readTree(line.substring(6)).path("choices").get(0);
          text.append(c.path("text").asText());
          finish = c.path("finish_reason").isNull() ? finish : c.path("finish_reason").asText();
        }
      }
      assertThat(text.toString()).isEqualTo(expected);
      assertThat(finish).isEqualTo("stop");
    }

    // chat, streaming and not
    String rendered = ChatTemplate.forTokenizer(tokenizer)
        .render(List.of(java.util.Map.of("role", "user", "content", "hi there")), true, java.util.Map.of());
    String chatFull = localGreedy(tokenizer.encode(rendered, false), 24);
    assertThat(chatFull.length()).as("chat greedy text: %s", chatFull).isGreaterThanOrEqualTo(8);
    String chatStop = chatFull.substring(5, 7);
    String chatExpected = chatFull.substring(0, chatFull.indexOf(chatStop));
    String chatReq = """
        {"model": "tiny", "messages": [{"role": "user", "content": "hi there"}], "max_tokens": 24, "temperature": 0,
         "stop": [%s]}""".formatted(JSON.writeValueAsString(chatStop));
    HttpResponse<String> c = send("POST", base + "/v1/chat/completions", chatReq);
    assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
    assertThat(JSON.readTree(c.body()).path("choices").get(0).path("message").path("content").asText())
        .isEqualTo(chatExpected);
    assertThat(JSON.readTree(c.body()).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    HttpResponse<String> cs = send("POST", base + "/v1/chat/completions", chatReq.replace("]}", "], \"stream\": true}"));
    StringBuilder chatText = new StringBuilder();
    for (String line : cs.body().split("\n")) {
      if (line.startsWith("data: {")) {
        chatText.append(JSON.readTree(line.substring(6)).path("choices").get(0).path("delta").path("content").asText());
      }
    }
    assertThat(chatText.toString()).isEqualTo(chatExpected);

    // more than 4, or an empty one: 400 naming the parameter
    for (String bad : List.of("[\"a\", \"b\", \"c\", \"d\", \"e\"]", "\"\"", "[1]", "{}")) {
      HttpResponse<String> b = send("POST", base + "/v1/completions", """
          {"model": "tiny", "prompt": "x", "stop": %s}""".formatted(bad));
      assertThat(b.statusCode()).as(bad + " -> " + b.body()).isEqualTo(400);
      assertThat(JSON.readTree(b.body()).path("error").path("param").asText()).isEqualTo("stop");
    }
  }

  @Test
  void chatCompletionsApplyTheChatTemplate() throws Exception {
    String rendered = ChatTemplate.forTokenizer(tokenizer)
        .render(List.of(java.util.Map.of("role", "user", "content", "hi there")), true, java.util.Map.of());
    int[] ids = tokenizer.encode(rendered, false);
    String expected = localGreedy(ids, 6);
    String req = """
        {"model": "tiny", "messages": [{"role": "user", "content": "hi there"}], "max_tokens": 6, "temperature": 0}""";
    HttpResponse<String> r = send("POST", base + "/v1/chat/completions", req);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    JsonNode message = body.path("choices").get(0).path("message");
    assertThat(message.path("role").asText()).isEqualTo("assistant");
    assertThat(message.path("content").asText()).isEqualTo(expected);
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(ids.length);

    HttpResponse<String> s = send("POST", base + "/v1/chat/completions", req.replace("}]", "}], \"stream\": true"));
    assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
    StringBuilder text = new StringBuilder();
    for (String line : s.body().split("\n")) {
      if (line.startsWith("data: {")) {
        JsonNode c = JSON.readTree(line.substring(6));
        assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
        text.append(c.path("choices").get(0).path("delta").path("content").asText());
      }
    }
    assertThat(s.body()).contains("data: [DONE]");
    assertThat(text.toString()).isEqualTo(expected);
  }

  /**
   * A client that goes away mid-stream: its socket closes after the first chunk, the proxy's write fails, the
   * cancel travels through the ingress's stream to the model server's, which aborts the request in the engine.
   * The engine's own counters (through a handle, not HTTP) show it: nothing running, no KV block referenced,
   * one more request aborted by its client, well before the generation could have ended by itself.
   */
  @Test
  void aClientThatDisconnectsMidStreamAbortsItsGenerationAndFreesItsKvBlocks() throws Exception {
    DeploymentHandle<LlmServer> server = DeploymentHandle.of(cluster.head().client(), "llm", "LlmServer-tiny");
    int maxTokens = 1800;
    // The same request without streaming runs to its full length: it would keep the engine busy this long.
    long t0 = System.nanoTime();
    HttpResponse<String> whole = send("POST", base + "/v1/completions", """
        {"model": "tiny", "prompt": "%s", "max_tokens": %d, "temperature": 0}""".formatted(PROMPT, maxTokens));
    double fullSeconds = (System.nanoTime() - t0) / 1e9;
    assertThat(JSON.readTree(whole.body()).path("choices").get(0).path("finish_reason").asText()).as(whole.body())
        .isEqualTo("length");
    Map<String, Object> before = stats(server);
    System.out.printf("whole %d-token generation: %.3f s; stats %s%n", maxTokens, fullSeconds, before);

    URI uri = URI.create(base);
    long closedAt;
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      String body = """
          {"model": "tiny", "prompt": "%s", "max_tokens": %d, "temperature": 0, "stream": true}"""
          .formatted(PROMPT, maxTokens);
      byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      socket.setSoTimeout(30_000);
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8));
      String status = in.readLine();
      assertThat(status).startsWith("HTTP/1.1 200");
      String line;
      while ((line = in.readLine()) != null && !line.startsWith("data: {")) {
        // headers and chunk sizes until the first event
      }
      assertThat(line).as("a first chunk before the disconnect").isNotNull();
      socket.setSoLinger(true, 0); // close with a reset, as a killed client would
      closedAt = System.nanoTime();
    }
    long abortedBefore = ((Number) before.get("aborted_by_client")).longValue();
    Map<String, Object> now = Poll.upTo(Duration.ofSeconds(20)).every(Duration.ofMillis(20)).until(
        "engine idle with its KV blocks free after the disconnect (the whole generation takes %.2f s)"
            .formatted(fullSeconds),
        () -> stats(server),
        st -> ((Number) st.get("running")).intValue() == 0 && ((Number) st.get("waiting")).intValue() == 0
            && ((Number) st.get("kv_usage")).doubleValue() == 0.0
            && ((Number) st.get("aborted_by_client")).longValue() > abortedBefore);
    double freedAfter = (System.nanoTime() - closedAt) / 1e9;
    assertThat(((Number) now.get("aborted_by_client")).longValue())
        .isEqualTo(((Number) before.get("aborted_by_client")).longValue() + 1);
    System.out.printf("client disconnect: engine idle, KV blocks free %.3f s after the socket closed "
        + "(the whole %d-token generation takes %.2f s)%n", freedAfter, maxTokens, fullSeconds);
  }

  private static Map<String, Object> stats(DeploymentHandle<LlmServer> server) throws Exception {
    return server.<Map<String, Object>>remote("stats").get(10, TimeUnit.SECONDS);
  }

  /**
   * The official {@code openai} npm client (pinned in src/test/js/package-lock.json, installed by
   * {@link NodeOpenAiClient}) against this server: models, completions and chat completions, streaming and not,
   * and an unknown model raising its {@code NotFoundError}.
   */
  @Test
  void theOfficialOpenAiNodeClientWorksAgainstTheServer() throws Exception {
    Path dir = NodeOpenAiClient.install();
    String out = NodeOpenAiClient.runScript(dir, base, "tiny", PROMPT);
    JsonNode r = JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
    String expected = localGreedy(tokenizer.encode(PROMPT, true), 12);
    String rendered = ChatTemplate.forTokenizer(tokenizer)
        .render(List.of(java.util.Map.of("role", "user", "content", "hi there")), true, java.util.Map.of());
    String chatExpected = localGreedy(tokenizer.encode(rendered, false), 6);

    assertThat(r.path("models").toString()).isEqualTo("[\"tiny\"]");
    assertThat(r.path("completion").path("text").asText()).isEqualTo(expected);
    assertThat(r.path("completion").path("object").asText()).isEqualTo("text_completion");
    assertThat(r.path("completion").path("finish_reason").asText()).isIn("stop", "length");
    assertThat(r.path("completion").path("usage").path("prompt_tokens").asInt())
        .isEqualTo(tokenizer.encode(PROMPT, true).length);
    assertThat(r.path("completion_stream").path("text").asText()).isEqualTo(expected);
    assertThat(r.path("completion_stream").path("finish_reason").asText())
        .isEqualTo(r.path("completion").path("finish_reason").asText());
    assertThat(r.path("completion_stream").path("chunks").asInt()).isGreaterThan(1);
    assertThat(r.path("chat").path("role").asText()).isEqualTo("assistant");
    assertThat(r.path("chat").path("content").asText()).isEqualTo(chatExpected);
    assertThat(r.path("chat").path("object").asText()).isEqualTo("chat.completion");
    assertThat(r.path("chat_stream").path("role").asText()).isEqualTo("assistant");
    assertThat(r.path("chat_stream").path("content").asText()).isEqualTo(chatExpected);
    assertThat(r.path("chat_stream").path("finish_reason").asText())
        .isEqualTo(r.path("chat").path("finish_reason").asText());
    JsonNode unknown = r.path("unknown_model");
    assertThat(unknown.path("not_found_error").asBoolean()).as(unknown.toString()).isTrue();
    assertThat(unknown.path("status").asInt()).isEqualTo(404);
    assertThat(unknown.path("code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void errorsUseOpenAisShapeAndStatus() throws Exception {
    HttpResponse<String> unknown = send("POST", base + "/v1/completions", """
        {"model": "nope", "prompt": "x"}""");
    assertThat(unknown.statusCode()).isEqualTo(404);
    JsonNode e = JSON.readTree(unknown.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo("model_not_found");
    assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(e.has("message") && e.has("param")).isTrue();

    HttpResponse<String> tooLong = send("POST", base + "/v1/completions", """
        {"model": "tiny", "prompt": "x", "max_tokens": 1000000}""");
    assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);
    assertThat(JSON.readTree(tooLong.body()).path("error").path("code").asText()).isEqualTo("context_length_exceeded");

    HttpResponse<String> tooLongStream = send("POST", base + "/v1/completions", """
        {"model": "tiny", "prompt": "x", "max_tokens": 1000000, "stream": true}""");
    assertThat(tooLongStream.statusCode()).as(tooLongStream.body()).isEqualTo(400);
    assertThat(JSON.readTree(tooLongStream.body()).path("error").path("code").asText())
        .isEqualTo("context_length_exceeded");

    HttpResponse<String> badTemp = send("POST", base + "/v1/completions", """
        {"model": "tiny", "prompt": "x", "temperature": 5}""");
    assertThat(badTemp.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badTemp.body()).path("error").path("param").asText()).isEqualTo("temperature");

    assertThat(send("POST", base + "/v1/completions", "not json").statusCode()).isEqualTo(400);
    assertThat(send("GET", base + "/v1/nothing", null).statusCode()).isEqualTo(404);
  }

  @Test
  void anOverloadedModelAnswers503InOpenAisShapeWithRetryAfter() throws Exception {
    // /narrow's server runs 1 request and queues 1 (max_queued_requests, at the ingress's handle): a burst overflows
    List<CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/narrow/v1/completions")).timeout(Duration.ofSeconds(60))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\": \"tiny\", \"prompt\": \"hello\", \"max_tokens\": 200, \"temperature\": 0}")).build();
      burst.add(HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> answers = new java.util.ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : burst) {
      answers.add(f.get(60, TimeUnit.SECONDS));
    }
    assertThat(answers).extracting(HttpResponse::statusCode).contains(200, 503).allMatch(c -> c == 200 || c == 503);
    HttpResponse<String> overloaded = answers.stream().filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
    assertThat(overloaded.headers().firstValue("retry-after")).contains("1");
    JsonNode e = JSON.readTree(overloaded.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo("overloaded");
    assertThat(e.path("type").asText()).isEqualTo("server_error");
    assertThat(e.path("message").asText()).contains("model 'tiny' is overloaded");
  }

  private static HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
