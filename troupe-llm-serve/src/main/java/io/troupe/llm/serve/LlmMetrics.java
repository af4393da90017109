package io.troupe.llm.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.troupe.llm.api.EngineMetrics;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationListener;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.runtime.api.NodeMetrics;
import io.troupe.serve.api.ReplicaContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The LLM layer's Prometheus meters of one {@link LlmServer} replica, named in the spirit of vLLM's
 * ({@code vllm:*} → {@code troupe_llm_*}) and labelled {@code model_id} and {@code replica}; see
 * docs/metrics.md. Per request ({@link #track}): time to first token and mean time per output token
 * (histograms, seconds), end-to-end latency, prompt and generation token counters, finished requests by
 * reason. From the engine's snapshot, read at scrape time: running and waiting requests, KV-cache usage,
 * prefix-cache queried and hit tokens and their ratio, preemptions.
 *
 * <p>Thread-safe: {@link #track}'s listener runs on the engine's step thread; meters are Micrometer's.
 * {@link #close} removes the meters (the replica stopped).
 */
public final class LlmMetrics implements AutoCloseable {
  /** vLLM's buckets for time to first token, seconds. */
  static final double[] TTFT_BUCKETS_S = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
      2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
  /** vLLM's buckets for time per output token, seconds. */
  static final double[] TPOT_BUCKETS_S = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
      5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
  /** vLLM's buckets for end-to-end request latency, seconds. */
  static final double[] E2E_BUCKETS_S = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0,
      50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

  private final MeterRegistry registry;
  private final Tags tags;
  private final LongSupplier nanos;
  private final Supplier<EngineMetrics> engine;
  private final List<Meter> meters = new ArrayList<>();
  private final DistributionSummary ttft;
  private final DistributionSummary tpot;
  private final DistributionSummary e2e;
  private final Counter promptTokens;
  private final Counter generationTokens;
  private final Map<String, Counter> finished = new ConcurrentHashMap<>();

  /**
   * @param engine the engine's latest snapshot (read at scrape time)
   * @param nanos a monotonic clock in nanoseconds (System::nanoTime)
   */
  LlmMetrics(MeterRegistry registry, String modelId, String replica, Supplier<EngineMetrics> engine,
      LongSupplier nanos) {
    this.registry = registry;
    this.tags = Tags.of("model_id", modelId, "replica", replica);
    this.nanos = nanos;
    this.engine = engine;
    ttft = add(DistributionSummary.builder("troupe.llm.time.to.first.token.seconds")
        .description("Time from the request reaching the model server to its first output token, in seconds")
        .tags(tags).serviceLevelObjectives(TTFT_BUCKETS_S).register(registry));
    tpot = add(DistributionSummary.builder("troupe.llm.time.per.output.token.seconds")
        .description("Mean time between output tokens after the first, per request, in seconds")
        .tags(tags).serviceLevelObjectives(TPOT_BUCKETS_S).register(registry));
    e2e = add(DistributionSummary.builder("troupe.llm.e2e.request.latency.seconds")
        .description("Time from the request reaching the model server to its last token, in seconds")
        .tags(tags).serviceLevelObjectives(E2E_BUCKETS_S).register(registry));
    promptTokens = add(Counter.builder("troupe.llm.prompt.tokens")
        .description("Prompt tokens of requests admitted by the model server").tags(tags).register(registry));
    generationTokens = add(Counter.builder("troupe.llm.generation.tokens")
        .description("Output tokens generated").tags(tags).register(registry));
    gauge("troupe.llm.num.requests.running", "Requests in the engine's running batch", engine, m -> m.running());
    gauge("troupe.llm.num.requests.waiting", "Requests waiting for the engine (new or preempted)", engine,
        m -> m.waiting());
    gauge("troupe.llm.kv.cache.usage.perc", "Fraction of KV-cache blocks in use by requests, 0..1", engine,
        EngineMetrics::kvUsage);
    gauge("troupe.llm.prefix.cache.hit.rate", "Prompt tokens found in the prefix cache / prompt tokens looked up, "
        + "since start, 0..1", engine, EngineMetrics::prefixHitRate);
    counter("troupe.llm.prefix.cache.queries", "Prompt tokens looked up in the prefix cache", engine,
        m -> m.prefixQueriedTokens());
    counter("troupe.llm.prefix.cache.hits", "Prompt tokens found in the prefix cache (KV reused, not recomputed)",
        engine, m -> m.prefixHitTokens());
    counter("troupe.llm.num.preemptions", "Requests preempted (KV freed, recomputed later)", engine,
        m -> m.preemptions());
  }

  /**
   * The meters of the replica this code runs in, on its node's registry (labelled with the replica id), or
   * on a registry of its own outside a replica (replica label {@code local}).
   */
  static LlmMetrics forReplica(String modelId, Supplier<EngineMetrics> engine) {
    MeterRegistry registry = NodeMetrics.current().<MeterRegistry>map(NodeMetrics::registry)
        .orElseGet(CompositeMeterRegistry::new);
    String replica = ReplicaContext.current().map(c -> c.replicaId().toString()).orElse("local");
    return new LlmMetrics(registry, modelId, replica, engine, System::nanoTime);
  }

  /** A listener that records {@code request}'s timings and tokens, then passes each event to {@code next}. */
  GenerationListener track(GenerationRequest request, GenerationListener next) {
    long start = nanos.getAsLong();
    promptTokens.increment(request.promptTokens().length);
    return new GenerationListener() {
      private long first = -1;
      private long last;

      @Override
      public void onEvent(GenerationEvent ev) {
        long now = nanos.getAsLong();
        switch (ev) {
          case GenerationEvent.Token t -> {
            if (first < 0) {
              first = now;
              ttft.record((now - start) / 1e9);
            }
            last = now;
          }
          case GenerationEvent.Finished f -> {
            int n = f.outputTokens().length;
            generationTokens.increment(n);
            if (n > 1 && first >= 0) {
              tpot.record((last - first) / 1e9 / (n - 1));
            }
            e2e.record((now - start) / 1e9);
            String reason = f.reason().name().toLowerCase(java.util.Locale.ROOT);
            finished.computeIfAbsent(reason, r -> add(Counter.builder("troupe.llm.request.success")
                .description("Requests the engine finished, by finished_reason (stop, length, abort, error)")
                .tags(tags).tag("finished_reason", r).register(registry))).increment();
          }
        }
        next.onEvent(ev);
      }
    };
  }

  /**
   * Records one request forwarded to an external engine, measured where Troupe sees it: time to the first streamed
   * chunk, one output token per streamed chunk (OpenAI servers stream one token per chunk), or the {@code usage} of a
   * whole answer; end-to-end latency; finished requests by reason.
   */
  Forwarded forwarded() {
    return new Forwarded(nanos.getAsLong());
  }

  /** One forwarded request (see {@link #forwarded}); one thread at a time. */
  final class Forwarded {
    private final long start;
    private long first = -1;
    private long last;
    private int chunks;
    private boolean done;

    Forwarded(long start) {
      this.start = start;
    }

    /** A streamed chunk arrived. */
    void chunk() {
      long now = nanos.getAsLong();
      if (first < 0) {
        first = now;
        ttft.record((now - start) / 1e9);
      }
      last = now;
      chunks++;
    }

    /**
     * The request ended ({@code stop}, {@code error} or {@code abort}); {@code prompt}/{@code completion} are the
     * answer's usage when known (else -1: a stream counts its chunks).
     */
    void finish(String reason, long prompt, long completion) {
      if (done) {
        return;
      }
      done = true;
      long now = nanos.getAsLong();
      if (prompt > 0) {
        promptTokens.increment(prompt);
      }
      long out = completion >= 0 ? completion : chunks;
      generationTokens.increment(out);
      if (first < 0 && completion > 0) {
        ttft.record((now - start) / 1e9); // a whole answer: its first token is known only at the end
      }
      if (chunks > 1) {
        tpot.record((last - first) / 1e9 / (chunks - 1));
      }
      e2e.record((now - start) / 1e9);
      finished.computeIfAbsent(reason, r -> add(Counter.builder("troupe.llm.request.success")
          .description("Requests the engine finished, by finished_reason (stop, length, abort, error)")
          .tags(tags).tag("finished_reason", r).register(registry))).increment();
    }
  }

  private <M extends Meter> M add(M m) {
    synchronized (meters) {
      meters.add(m);
    }
    return m;
  }

  private void gauge(String name, String help, Supplier<EngineMetrics> engine, ToDoubleFunction<EngineMetrics> f) {
    add(Gauge.builder(name, engine, s -> s.get() == null ? 0 : f.applyAsDouble(s.get())).description(help)
        .tags(tags).strongReference(true).register(registry));
  }

  private void counter(String name, String help, Supplier<EngineMetrics> engine, ToDoubleFunction<EngineMetrics> f) {
    add(FunctionCounter.builder(name, engine, s -> s.get() == null ? 0 : f.applyAsDouble(s.get())).description(help)
        .tags(tags).register(registry)); // weakly held by Micrometer: this.engine keeps the supplier alive
  }

  /** Removes this replica's meters. */
  @Override
  public void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
