package io.troupe.runtime.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.autoscaler.spi.NodeLaunch;
import io.troupe.runtime.autoscaler.spi.NodeLaunchException;
import io.troupe.runtime.autoscaler.spi.NodeProvider;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reconciler over a scripted provider, a scripted cluster and a manual clock (provider calls run inline). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterAutoscalerTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final InstantSource clock = () -> now;
  private final Provider provider = new Provider();
  private final AtomicInteger ids = new AtomicInteger();
  /** Nodes in the cluster: launch id → node (idle unless listed in busy). */
  private final Map<String, NodeLaunch> joined = new LinkedHashMap<>();
  private final List<String> busy = new ArrayList<>();

  static final class Provider implements NodeProvider {
    final List<NodeLaunch> launched = new ArrayList<>();
    final List<String> terminated = new ArrayList<>();
    String failWith;

    @Override
    public String launch(NodeLaunch l) throws NodeLaunchException {
      if (failWith != null) {
        throw new NodeLaunchException(failWith);
      }
      launched.add(l);
      return "vm-" + l.launchId();
    }

    @Override
    public void terminate(String id, NodeLaunch l) {
      terminated.add(id);
    }
  }

  private ClusterAutoscaler autoscaler(String yaml) {
    return new ClusterAutoscaler(ClusterConfig.parse(yaml), provider, "head:6380", clock, Runnable::run,
        () -> "l" + ids.incrementAndGet());
  }

  private List<NodeInfo> nodes() {
    List<NodeInfo> out = new ArrayList<>();
    out.add(new NodeInfo(NodeId.of("head"), "h:1", NodeInfo.ALIVE, true, Map.of(), ResourceSet.of("CPU", 1),
        ResourceSet.of("CPU", 1), List.of(), null, null));
    joined.forEach((id, l) -> out.add(new NodeInfo(NodeId.of("n-" + id), "x:1", NodeInfo.ALIVE, false, l.labels(),
        l.resources(), busy.contains(id) ? ResourceSet.EMPTY : l.resources(), List.of(), null, null)));
    return out;
  }

  private void joinAll() {
    provider.launched.forEach(l -> {
      if (!provider.terminated.contains("vm-" + l.launchId())) {
        joined.putIfAbsent(l.launchId(), l);
      }
    });
    joined.keySet().removeIf(id -> provider.terminated.contains("vm-" + id));
  }

  private static final Demand TWO_GPUS_SPREAD = new Demand("pg", List.of(Bundle.of(Map.of("GPU", 1)),
      Bundle.of(Map.of("GPU", 1))), PlacementStrategy.STRICT_SPREAD);

  @Test
  void keepsMinWorkersAndTerminatesOnlyTheIdleSurplusAfterTheTimeout() {
    ClusterAutoscaler a = autoscaler("""
        idle_timeout_minutes: 1
        max_workers: 4
        available_node_types:
          gpu: {resources: {GPU: 1}, min_workers: 1, max_workers: 3}
        """);
    a.tick(nodes(), List.of());
    a.tick(nodes(), List.of()); // applies the provider's answer
    assertThat(provider.launched).hasSize(1); // min_workers
    joinAll();
    a.tick(nodes(), List.of(TWO_GPUS_SPREAD));
    assertThat(provider.launched).hasSize(2); // one more: the min worker's GPU is free for one bundle
    joinAll();
    busy.addAll(joined.keySet());
    a.tick(nodes(), List.of());
    busy.clear(); // the group is gone: both idle from now
    a.tick(nodes(), List.of());
    now = now.plusSeconds(59);
    a.tick(nodes(), List.of());
    assertThat(provider.terminated).isEmpty();
    now = now.plusSeconds(1);
    a.tick(nodes(), List.of());
    assertThat(provider.terminated).hasSize(1); // min_workers 1 stays
    a.tick(nodes(), List.of());
    joinAll();
    now = now.plusSeconds(600);
    a.tick(nodes(), List.of());
    assertThat(provider.terminated).hasSize(1);
    assertThat(a.status().nodes()).singleElement().satisfies(n -> assertThat(n.state()).isEqualTo("IDLE"));
  }

  @Test
  void failedLaunchesAreKeptWithTheirReasonAndRetriedWithBackOff() {
    ClusterAutoscaler a = autoscaler("""
        available_node_types:
          gpu: {resources: {GPU: 1}, max_workers: 2}
        """);
    provider.failWith = "quota exceeded";
    a.tick(nodes(), List.of(TWO_GPUS_SPREAD));
    a.tick(nodes(), List.of(TWO_GPUS_SPREAD)); // records both failures; back-off 1 s, then 2 s
    assertThat(a.status().failures()).hasSize(2).allSatisfy(f -> assertThat(f.reason()).isEqualTo("quota exceeded"));
    int attempts = provider.launched.size();
    now = now.plusMillis(500);
    a.tick(nodes(), List.of(TWO_GPUS_SPREAD));
    assertThat(a.status().failures()).hasSize(2); // still backing off
    provider.failWith = null;
    now = now.plusSeconds(2);
    a.tick(nodes(), List.of(TWO_GPUS_SPREAD));
    assertThat(provider.launched.size()).isGreaterThan(attempts);
  }

  @Test
  void aNodeThatNeverJoinsIsTerminatedAndCountedAsAFailure() {
    ClusterAutoscaler a = autoscaler("""
        provider: {type: local, launch_timeout_s: 30}
        available_node_types:
          gpu: {resources: {GPU: 1}, max_workers: 1}
        """);
    Demand one = Demand.actor("actor", Bundle.of(Map.of("GPU", 1)));
    a.tick(nodes(), List.of(one));
    a.tick(nodes(), List.of(one));
    assertThat(a.status().nodes()).singleElement().satisfies(n -> assertThat(n.state()).isEqualTo("WAITING"));
    now = now.plusSeconds(30);
    a.tick(nodes(), List.of(one));
    assertThat(provider.terminated).containsExactly("vm-l1");
    assertThat(a.status().failures()).singleElement()
        .satisfies(f -> assertThat(f.reason()).contains("did not join the cluster within 30 s"));
  }

  @Test
  void infeasibleDemandIsReportedAndLaunchesNothing() {
    ClusterAutoscaler a = autoscaler("""
        available_node_types:
          cpu: {resources: {CPU: 4}}
        """);
    a.tick(nodes(), List.of(TWO_GPUS_SPREAD));
    assertThat(provider.launched).isEmpty();
    assertThat(a.status().infeasible()).singleElement()
        .satisfies(u -> assertThat(u.reason()).contains("no node type").contains("GPU: 1"));
  }
}
