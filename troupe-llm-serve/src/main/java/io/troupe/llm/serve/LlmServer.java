package io.troupe.llm.serve;

import io.troupe.llm.model.WeightType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.llm.chat.ChatTemplate;
import io.troupe.llm.cluster.ClusterRanks;
import io.troupe.llm.engine.EngineConfig;
import io.troupe.llm.engine.LlmEngine;
import io.troupe.llm.local.LocalModel;
import io.troupe.llm.parallel.RankOptions;
import io.troupe.llm.serve.external.ProcessGang;
import io.troupe.llm.parallel.SingleRankExecutor;
import io.troupe.llm.spi.ModelExecutor;
import io.troupe.llm.tokenizer.StreamingDecoder;
import io.troupe.llm.tokenizer.Tokenizer;
import io.troupe.runtime.api.ActorContext;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The deployment that serves one model: its tokenizer, chat template and one {@link LlmEngine}.
 * Constructed with {@link LlmConfig#toMap()} as its single init arg. With tp x pp == 1 the model runs in
 * this replica ({@link SingleRankExecutor}); otherwise {@link ClusterRanks#launch} starts one rank actor
 * per bundle of this replica's placement group (the deployment's {@code placement_group_bundles}; see
 * {@link LlmApps}), or a group of its own when the deployment reserved none.
 *
 * <p>Methods (called through a {@code DeploymentHandle} by {@link OpenAiIngress}):
 * {@link #complete} (never throws for a bad request: it answers an {@link OpenAiError}), {@link #stream}
 * (OpenAI chunk JSON strings, one per SSE event, without the final {@code [DONE]}), {@link #models}.
 *
 * <p>Metrics: {@link LlmMetrics} on the node's {@code /metrics}, labelled with the model id and this replica.
 *
 * <p>Threading: any number of calls at once; the engine runs its own step thread and every request's
 * listener only hands events to that request's queue. Closing a stream before its end (the client went
 * away) aborts the request, which frees its KV blocks.
 */
public final class LlmServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long COMPLETE_TIMEOUT_S = 600;

  private final LlmConfig config;
  private final Tokenizer tokenizer;
  private final ChatTemplate chatTemplate;
  private final ClusterRanks ranks;
  private final LlmEngine engine;
  private final int maxContext;
  private final LlmMetrics metrics;
  private final ProcessGang gang; // an external engine's processes; null for the built-in engine
  private final java.util.concurrent.atomic.AtomicLong abortedByClient = new java.util.concurrent.atomic.AtomicLong();

  public LlmServer(Map<String, Object> config) {
    this.config = LlmConfig.fromMap(config);
    if (this.config.engine().external()) {
      // An external engine: its processes run in this replica's bundles; requests are forwarded to its leader.
      this.gang = ProcessGang.launch(new ProcessGang.Spec(this.config.modelId(), this.config.modelSource(),
          this.config.tensorParallelSize(), this.config.pipelineParallelSize(), this.config.engine(),
          this.config.bundlePerRank()));
      this.tokenizer = null;
      this.chatTemplate = null;
      this.ranks = null;
      this.engine = null;
      this.maxContext = 0;
      this.metrics = LlmMetrics.forReplica(this.config.modelId(), () -> null);
      return;
    }
    this.gang = null;
    Path dir = Path.of(this.config.modelSource());
    RankOptions ro = (this.config.kvCacheBytes() > 0
        ? RankOptions.defaults().withKvCacheBytes(this.config.kvCacheBytes()) : RankOptions.defaults())
        .withWeights(WeightType.parse(this.config.dtype()));
    ClusterRanks[] launched = new ClusterRanks[1];
    LocalModel model = LocalModel.open(dir, this.config.tensorParallelSize(), this.config.pipelineParallelSize(), ro,
        (d, tp, pp, options) -> { // tp x pp > 1: rank actors in this replica's placement group
          var troupe = ActorContext.current().orElseThrow(() -> new IllegalStateException(
              "tp x pp > 1 needs a cluster: LlmServer must run as a replica")).troupe();
          Map<String, Number> perRank = new LinkedHashMap<>(this.config.bundlePerRank());
          launched[0] = ClusterRanks.launch(troupe, d, ClusterRanks.Options.builder(tp, pp).perRank(perRank)
              .rankOptions(options).build());
          return launched[0].executor();
        });
    this.ranks = launched[0];
    this.tokenizer = model.tokenizer();
    this.chatTemplate = model.chatTemplate();
    this.maxContext = model.executor().config().maxPositions();
    this.engine = model.startEngine(EngineConfig.defaults().withMaxRunningSeqs(this.config.maxNumSeqs()),
        InstantSource.system(), RandomGenerator.getDefault());
    this.metrics = LlmMetrics.forReplica(this.config.modelId(), engine::metrics);
  }

  /** The model this replica serves: {@code [{id, max_model_len}]} ({@code [{id, engine}]} for an external engine). */
  public List<Map<String, Object>> models() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", config.modelId());
    if (gang != null) {
      m.put("engine", config.engine().engine());
      return List.of(m);
    }
    m.put("max_model_len", maxContext);
    return List.of(m);
  }

  /**
   * Forwards a request to the external engine's leader and returns its whole answer (a 502 in OpenAI's shape when
   * the leader cannot be reached). Only for {@code engine} other than builtin.
   */
  public ForwardResponse forward(ForwardRequest r) {
    requireExternal();
    LlmMetrics.Forwarded m = metrics.forwarded();
    try {
      ForwardResponse resp = gang.upstream().call(r);
      long[] usage = usage(resp.body());
      m.finish(resp.status() == 200 ? "stop" : "error", usage[0], usage[1]);
      return resp;
    } catch (java.io.IOException | RuntimeException e) {
      m.finish("error", -1, 0);
      return upstreamFailed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.finish("abort", -1, 0);
      return upstreamFailed(e);
    }
  }

  /**
   * Forwards a streamed request: first a {@link ForwardResponse} head (status, content type), then each server-sent
   * event's data as a string, as the engine sends it. Closing the stream (the client went away) closes the connection
   * to the engine, which aborts the request there.
   */
  public Stream<Object> forwardStream(ForwardRequest r) {
    requireExternal();
    LlmMetrics.Forwarded m = metrics.forwarded();
    Stream<Object> upstream;
    try {
      upstream = gang.upstream().stream(r);
    } catch (java.io.IOException | RuntimeException e) {
      m.finish("error", -1, 0);
      return Stream.of(upstreamFailed(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.finish("abort", -1, 0);
      return Stream.of(upstreamFailed(e));
    }
    Iterator<Object> it = upstream.iterator();
    boolean[] end = new boolean[1];
    Iterator<Object> counted = new Iterator<>() {
      boolean head = true;

      @Override
      public boolean hasNext() {
        try {
          boolean more = it.hasNext();
          if (!more && !end[0]) {
            end[0] = true;
            m.finish("stop", -1, -1);
          }
          return more;
        } catch (RuntimeException e) {
          end[0] = true;
          m.finish("error", -1, -1);
          throw e;
        }
      }

      @Override
      public Object next() {
        Object o = it.next();
        if (head) {
          head = false;
        } else {
          m.chunk();
        }
        return o;
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(counted, Spliterator.ORDERED), false)
        .onClose(() -> {
          if (!end[0]) {
            end[0] = true;
            abortedByClient.incrementAndGet();
            m.finish("abort", -1, -1);
          }
          upstream.close();
        });
  }

  /** Each engine process: node rank, rank, host, port, GPU ids, alive, exit code, log file, last output lines. */
  public List<Map<String, Object>> processes() {
    requireExternal();
    return gang.logs();
  }

  /** The last {@code lines} lines of process {@code index}'s output (0 = the leader). */
  public List<String> processOutput(Integer index, Integer lines) {
    requireExternal();
    return gang.tail(index, lines);
  }

  private void requireExternal() {
    if (gang == null) {
      throw new IllegalStateException("model '" + config.modelId() + "' runs on the built-in engine; nothing to forward");
    }
  }

  private static ForwardResponse upstreamFailed(Exception e) {
    OpenAiError err = new OpenAiError(502, "the model's engine did not answer: " + e.getMessage(), "server_error",
        null, null);
    return new ForwardResponse(502, "application/json", null, json(err.body()).getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
  }

  /** {@code [prompt_tokens, completion_tokens]} of an OpenAI answer's usage, -1 when absent. */
  static long[] usage(byte[] body) {
    try {
      com.fasterxml.jackson.databind.JsonNode u = JSON.readTree(body).path("usage");
      return new long[] {u.path("prompt_tokens").asLong(-1), u.path("completion_tokens").asLong(-1)};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  /** Generates to the end; a bad request answers an {@link OpenAiError} (400), a failed engine one (500). */
  public CompletionOutcome complete(CompletionParams params) {
    if (gang != null) {
      return OpenAiError.server("model '" + config.modelId() + "' runs on an external engine: forward the request");
    }
    Object prepared = prepare(params);
    if (prepared instanceof OpenAiError e) {
      return e;
    }
    Prepared p = (Prepared) prepared;
    CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
    engine.submit(p.request(), metrics.track(p.request(), ev -> {
      if (ev instanceof GenerationEvent.Finished f) {
        done.complete(f);
      }
    }));
    GenerationEvent.Finished f;
    try {
      f = done.get(COMPLETE_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      engine.abort(p.id());
      Thread.currentThread().interrupt();
      return OpenAiError.server("interrupted");
    } catch (TimeoutException | ExecutionException e) {
      engine.abort(p.id());
      return OpenAiError.server("generation did not finish: " + e);
    }
    if (f.reason() == FinishReason.ERROR || f.reason() == FinishReason.ABORT) {
      return generationFailed(f);
    }
    String text = tokenizer.decode(f.outputTokens(), true);
    int cut = stopAt(text, params.stop());
    return new CompletionResult(p.id(), p.created(), config.modelId(), cut < 0 ? text : text.substring(0, cut),
        finishReason(f.reason()), p.request().promptTokens().length, f.outputTokens().length);
  }

  /**
   * Streams OpenAI chunk JSON strings ({@code text_completion} or {@code chat.completion.chunk}), the last one
   * carrying {@code finish_reason}. A bad request yields exactly one chunk, {@code {"error": {...}}}. Closing the
   * stream early aborts the generation.
   */
  public Stream<String> stream(CompletionParams params) {
    if (gang != null) {
      return Stream.of(json(OpenAiError.server("model '" + config.modelId()
          + "' runs on an external engine: forward the request").body()));
    }
    Object prepared = prepare(params);
    if (prepared instanceof OpenAiError e) {
      return Stream.of(json(e.body()));
    }
    Prepared p = (Prepared) prepared;
    BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    engine.submit(p.request(), metrics.track(p.request(), events::add));
    ChunkIterator it = new ChunkIterator(p, params.chat(), params.stop(), events);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
        .onClose(() -> {
          if (!it.finished) {
            abortedByClient.incrementAndGet();
            engine.abort(p.id()); // the client went away: free the KV blocks now
          }
        });
  }

  /** Engine counters: {@code running}, {@code waiting}, {@code kv_usage}, {@code finished}, {@code aborted_by_client}. */
  public Map<String, Object> stats() {
    if (gang != null) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("engine", config.engine().engine());
      out.put("epoch", gang.epoch());
      out.put("leader", gang.upstream().base());
      out.put("aborted_by_client", abortedByClient.get());
      out.put("processes", gang.slots().size());
      return out;
    }
    var m = engine.metrics();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("running", m.running());
    out.put("waiting", m.waiting());
    out.put("kv_usage", m.kvUsage());
    out.put("finished", m.finished());
    out.put("aborted_by_client", abortedByClient.get());
    if (ranks != null) {
      out.put("epoch", ranks.epoch());
      out.put("rank_nodes", ranks.identities().stream().map(i -> String.valueOf(i.nodeId())).toList());
    }
    return out;
  }

  /**
   * Raises when the engine cannot serve any more (the replica then counts as unhealthy and the controller replaces
   * it): its rank group is down for good (no gang restart possible). A rank group that is restarting is healthy.
   */
  public void checkHealth() {
    if (gang != null) {
      gang.checkHealth();
      return;
    }
    if (engine.metrics() == null) {
      throw new IllegalStateException("engine has no metrics");
    }
    if (ranks != null) {
      ranks.downReason().ifPresent(r -> {
        throw new IllegalStateException("rank group is down: " + r);
      });
    }
  }

  @Override
  public void close() {
    metrics.close();
    if (gang != null) {
      gang.close();
      return;
    }
    engine.close();
    if (ranks != null) {
      ranks.close();
    }
  }

  private record Prepared(String id, long created, GenerationRequest request) {}

  /** A {@link Prepared} request, or the {@link OpenAiError} that refuses it. */
  private Object prepare(CompletionParams params) {
    int maxTokens = params.maxTokens() == null ? config.maxTokens() : params.maxTokens();
    if (maxTokens < 1) {
      return OpenAiError.invalid("max_tokens", "max_tokens must be at least 1, got " + maxTokens);
    }
    if (params.temperature() < 0 || params.temperature() > 2) {
      return OpenAiError.invalid("temperature", "temperature must be in [0, 2], got " + params.temperature());
    }
    if (params.topP() <= 0 || params.topP() > 1) {
      return OpenAiError.invalid("top_p", "top_p must be in (0, 1], got " + params.topP());
    }
    int[] ids;
    if (params.chat()) {
      if (params.messages().isEmpty()) {
        return OpenAiError.invalid("messages", "messages must not be empty");
      }
      List<Map<String, ?>> msgs = new ArrayList<>();
      for (CompletionParams.Message m : params.messages()) {
        msgs.add(Map.of("role", m.role(), "content", m.content()));
      }
      String text;
      try {
        text = chatTemplate.render(msgs, true, Map.of());
      } catch (RuntimeException e) {
        return OpenAiError.invalid("messages", "the chat template refused the messages: " + e.getMessage());
      }
      ids = tokenizer.encode(text, false); // the template writes BOS itself
    } else {
      ids = tokenizer.encode(params.prompt(), true);
    }
    if (ids.length == 0) {
      return OpenAiError.invalid(params.chat() ? "messages" : "prompt", "the prompt is empty");
    }
    if (ids.length + maxTokens > maxContext) {
      return new OpenAiError(400, "This model's maximum context length is " + maxContext + " tokens. However, you "
          + "requested " + (ids.length + maxTokens) + " tokens (" + ids.length + " in the prompt, " + maxTokens
          + " in the completion). Please reduce the prompt or max_tokens.", "invalid_request_error",
          params.chat() ? "messages" : "prompt", "context_length_exceeded");
    }
    SamplingParams.Builder sp = SamplingParams.builder().maxTokens(maxTokens).temperature(params.temperature())
        .topP(params.topP());
    if (params.seed() != null) {
      sp.seed(params.seed());
    }
    if (!params.stop().isEmpty()) {
      sp.stopStrings(params.stop());
    }
    String id = (params.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    return new Prepared(id, System.currentTimeMillis() / 1000, new GenerationRequest(id, ids, sp.build()));
  }

  /** An engine failure (e.g. a lost rank: the message names it) as a 500 in OpenAI's shape. */
  private static OpenAiError generationFailed(GenerationEvent.Finished f) {
    return OpenAiError.server("generation failed: " + f.reason() + (f.detail() == null ? "" : " (" + f.detail() + ")"));
  }

  /** Where the first of {@code stops} starts in {@code text}, or -1: OpenAI's text ends before the stop string. */
  static int stopAt(String text, List<String> stops) {
    int cut = -1;
    for (String stop : stops) {
      int i = text.indexOf(stop);
      if (i >= 0 && (cut < 0 || i < cut)) {
        cut = i;
      }
    }
    return cut;
  }

  private static String finishReason(FinishReason r) {
    return r == FinishReason.STOP ? "stop" : "length";
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Turns one request's engine events into chunk JSON; runs on the replica's stream producer thread. With stop
   * strings it holds back the last {@code longest stop - 1} characters of decoded text until it knows they are not
   * the start of a stop string, so the streamed text never contains one (as OpenAI's). An engine failure becomes
   * a last chunk {@code {"error": {...}}} in OpenAI's shape (the official clients raise it as an API error).
   */
  private final class ChunkIterator implements Iterator<String> {
    private final Prepared p;
    private final boolean chat;
    private final List<String> stops;
    private final int holdBack;
    private final BlockingQueue<GenerationEvent> events;
    private final StreamingDecoder decoder = tokenizer.newStreamingDecoder(true);
    private final List<String> pending = new ArrayList<>();
    private final StringBuilder text = new StringBuilder(); // decoded so far
    private int sent; // characters of text already in chunks
    private boolean roleSent;
    volatile boolean finished;

    ChunkIterator(Prepared p, boolean chat, List<String> stops, BlockingQueue<GenerationEvent> events) {
      this.p = p;
      this.chat = chat;
      this.stops = stops;
      this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
      this.events = events;
    }

    @Override
    public boolean hasNext() {
      while (pending.isEmpty() && !finished) {
        if (chat && !roleSent) {
          roleSent = true;
          pending.add(chunk(Map.of("role", "assistant", "content", ""), null));
          break;
        }
        GenerationEvent ev;
        try {
          ev = events.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("stream cancelled");
        }
        switch (ev) {
          case GenerationEvent.Token t -> {
            text.append(decoder.next(t.tokenId()));
            int cut = stopAt(text.toString(), stops);
            emitUpTo(cut >= 0 ? cut : text.length() - holdBack);
          }
          case GenerationEvent.Finished f -> {
            finished = true;
            if (f.reason() == FinishReason.ERROR) {
              pending.add(json(generationFailed(f).body()));
              break;
            }
            if (f.reason() == FinishReason.ABORT) {
              break;
            }
            text.append(decoder.finish());
            int cut = stopAt(text.toString(), stops);
            emitUpTo(cut >= 0 ? cut : text.length());
            pending.add(chunk(chat ? Map.of() : "", finishReason(f.reason())));
          }
        }
      }
      return !pending.isEmpty();
    }

    /** Sends {@code text[sent, end)} as one chunk (not splitting a surrogate pair). */
    private void emitUpTo(int end) {
      if (end > 0 && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      if (end > sent) {
        pending.add(chunk(text.substring(sent, end), null));
        sent = end;
      }
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.remove(0);
    }

    /** One chunk: {@code delta} is the text (completions) or the delta object (chat). */
    private String chunk(Object delta, String finishReason) {
      return json(OpenAiWire.Chunk.of(p.id(), p.created(), config.modelId(), chat, delta, finishReason));
    }
  }
}
