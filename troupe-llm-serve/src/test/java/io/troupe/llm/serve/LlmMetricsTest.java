package io.troupe.llm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.troupe.llm.api.EngineMetrics;
import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationListener;
import io.troupe.llm.api.GenerationRequest;
import io.troupe.llm.api.SamplingParams;
import io.troupe.serve.api.DeploymentConfig;
import io.troupe.serve.api.RequestRouterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LlmMetrics} on a plain registry with a manual clock and scripted engine snapshots; the routing option. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LlmMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong();
  private final AtomicReference<EngineMetrics> engine = new AtomicReference<>(
      new EngineMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

  private double value(String name, String... tags) {
    return registry.get(name).tags("model_id", "m", "replica", "app#D#r1").tags(tags).meter().measure().iterator()
        .next().getValue();
  }

  @Test
  void recordsTimingsTokensAndOutcomesPerRequest() {
    LlmMetrics m = new LlmMetrics(registry, "m", "app#D#r1", engine::get, now::get);
    List<GenerationEvent> seen = new ArrayList<>();
    GenerationListener l = m.track(new GenerationRequest("r", new int[] {1, 2, 3, 4, 5}, SamplingParams.greedy(3)),
        seen::add);
    now.addAndGet(250_000_000L); // 0.25 s to the first token
    l.onEvent(new GenerationEvent.Token("r", 7, 0));
    now.addAndGet(100_000_000L);
    l.onEvent(new GenerationEvent.Token("r", 8, 1));
    now.addAndGet(300_000_000L); // tokens 2 and 3 came 0.1 s and 0.3 s after the one before: mean 0.2 s
    l.onEvent(new GenerationEvent.Token("r", 9, 2));
    l.onEvent(new GenerationEvent.Finished("r", FinishReason.LENGTH, new int[] {7, 8, 9}, null));
    assertThat(seen).hasSize(4); // every event passed on

    var ttft = registry.get("troupe.llm.time.to.first.token.seconds").summary();
    assertThat(ttft.count()).isEqualTo(1);
    assertThat(ttft.totalAmount()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-9));
    var tpot = registry.get("troupe.llm.time.per.output.token.seconds").summary();
    assertThat(tpot.totalAmount()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(registry.get("troupe.llm.e2e.request.latency.seconds").summary().totalAmount())
        .isCloseTo(0.65, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(registry.get("troupe.llm.prompt.tokens").counter().count()).isEqualTo(5);
    assertThat(registry.get("troupe.llm.generation.tokens").counter().count()).isEqualTo(3);
    assertThat(value("troupe.llm.request.success", "finished_reason", "length")).isEqualTo(1);

    // a request aborted before its first token: no TTFT or TPOT sample, counted as abort
    GenerationListener aborted = m.track(new GenerationRequest("a", new int[] {1}, SamplingParams.greedy(3)), e -> {});
    aborted.onEvent(new GenerationEvent.Finished("a", FinishReason.ABORT, new int[0], null));
    assertThat(ttft.count()).isEqualTo(1);
    assertThat(tpot.count()).isEqualTo(1);
    assertThat(value("troupe.llm.request.success", "finished_reason", "abort")).isEqualTo(1);
    assertThat(registry.get("troupe.llm.prompt.tokens").counter().count()).isEqualTo(6);
  }

  @Test
  void engineGaugesAndCountersFollowItsSnapshotsAndCloseRemovesEverything() {
    LlmMetrics m = new LlmMetrics(registry, "m", "app#D#r1", engine::get, now::get);
    engine.set(new EngineMetrics(3, 2, 0.5, 0.75, 0, 0, 0, 0, 1, 4, 400, 300));
    assertThat(value("troupe.llm.num.requests.running")).isEqualTo(3);
    assertThat(value("troupe.llm.num.requests.waiting")).isEqualTo(2);
    assertThat(value("troupe.llm.kv.cache.usage.perc")).isEqualTo(0.5);
    assertThat(value("troupe.llm.prefix.cache.hit.rate")).isEqualTo(0.75);
    assertThat(value("troupe.llm.prefix.cache.queries")).isEqualTo(400);
    assertThat(value("troupe.llm.prefix.cache.hits")).isEqualTo(300);
    assertThat(value("troupe.llm.num.preemptions")).isEqualTo(1);
    engine.set(new EngineMetrics(0, 0, 0.1, 0.8, 0, 0, 0, 0, 1, 5, 500, 400));
    assertThat(value("troupe.llm.prefix.cache.hits")).isEqualTo(400);
    m.track(new GenerationRequest("r", new int[] {1}, SamplingParams.greedy(1)), e -> {})
        .onEvent(new GenerationEvent.Finished("r", FinishReason.STOP, new int[] {2}, null));
    m.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void routingDefaultsToPrefixAwareAndIsValidated() {
    LlmConfig c = LlmConfig.of("tiny", "/m");
    assertThat(c.requestRouter()).isEqualTo(RequestRouterConfig.PREFIX_AWARE);
    DeploymentConfig d = LlmApps.serverConfig(c).name("x").build();
    assertThat(d.requestRouter().policy()).isEqualTo(RequestRouterConfig.Policy.PREFIX_AWARE);
    LlmConfig pow2 = LlmConfig.fromMap(Map.of("model_id", "t", "model_source", "/m", "routing", "pow2"));
    assertThat(LlmApps.serverConfig(pow2).name("x").build().requestRouter()).isEqualTo(RequestRouterConfig.POW2);
    assertThat(LlmConfig.fromMap(pow2.toMap())).isEqualTo(pow2);
    assertThatThrownBy(() -> LlmConfig.fromMap(Map.of("model_id", "t", "model_source", "/m", "routing", "rr")))
        .hasMessage("model option routing: unknown request router 'rr'; expected one of pow2, prefix_aware");
  }

  @Test
  void chatRoutingKeysShareTheirCommonTurnsAsAPrefix() {
    var sys = new CompletionParams.Message("system", "You are the helpdesk of tenant A.");
    String k1 = RoutingKeys.of(new CompletionParams(null, List.of(sys, new CompletionParams.Message("user", "hi")),
        null, 1, 1, null));
    String k2 = RoutingKeys.of(new CompletionParams(null, List.of(sys, new CompletionParams.Message("user", "bye")),
        null, 1, 1, null));
    String common = "<|system|>\nYou are the helpdesk of tenant A.\n<|user|>\n";
    assertThat(k1).startsWith(common);
    assertThat(k2).startsWith(common);
    assertThat(RoutingKeys.of(new CompletionParams("plain prompt", null, null, 1, 1, null))).isEqualTo("plain prompt");
  }
}
