package io.troupe.examples.placement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PlacedReplica} reports the context it is given: its bundle, GPUs, and its group's bundles. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PlacedReplicaTest {
  static final PlacementGroupId PG = PlacementGroupId.of("pg-7");

  @Test
  void reportsItsBundleGpusAndTheWholeGroup() throws Exception {
    PlacementGroupInfo info = new PlacementGroupInfo(PG, Optional.empty(), PlacementStrategy.STRICT_SPREAD,
        PlacementGroupState.CREATED, 0, List.of(
            new PlacementGroupInfo.BundleInfo(0, Bundle.of(Map.of("CPU", 1, "GPU", 1)), Optional.of(NodeId.of("node-a")), List.of("1")),
            new PlacementGroupInfo.BundleInfo(1, Bundle.of(Map.of("CPU", 1, "GPU", 1)), Optional.of(NodeId.of("node-b")), List.of("0"))),
        "");
    PlacedReplica r = new PlacedReplica(() -> Optional.of(context(info)));

    ServeResponse resp = r.handle(ServeRequest.get("/placement", ""));
    assertThat(resp.status()).isEqualTo(200);
    assertThat(resp.headers()).containsEntry("content-type", "application/json");
    JsonNode j = new ObjectMapper().readTree(resp.bodyAsString());
    assertThat(j.path("node_id").asText()).isEqualTo("node-a");
    assertThat(j.path("placement_group_id").asText()).isEqualTo("pg-7");
    assertThat(j.path("bundle_index").asInt()).isZero();
    assertThat(j.path("gpu_ids").toString()).isEqualTo("[\"1\"]");
    assertThat(j.path("cuda_visible_devices").asText()).isEqualTo("1");
    assertThat(j.path("group").path("strategy").asText()).isEqualTo("STRICT_SPREAD");
    JsonNode b1 = j.path("group").path("bundles").get(1);
    assertThat(b1.path("node_id").asText()).isEqualTo("node-b");
    assertThat(b1.path("gpu_ids").get(0).asText()).isEqualTo("0");
    assertThat(b1.path("resources").path("GPU").asDouble()).isEqualTo(1.0);
  }

  @Test
  void outsideAnActorItSaysSo() {
    assertThat(new PlacedReplica(Optional::empty).report().path("actor").asBoolean()).isFalse();
    assertThat(new PlacedReplica().report().path("actor").asBoolean()).isFalse(); // a test thread has no context
  }

  /** An actor context in bundle 0 of {@code info}'s group, holding GPU "1" on node-a. */
  static ActorContext context(PlacementGroupInfo info) {
    Troupe troupe = (Troupe) Proxy.newProxyInstance(PlacedReplicaTest.class.getClassLoader(), new Class<?>[] {Troupe.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "placementGroup" -> CompletableFuture.completedFuture(args[0].equals(info.id()) ? Optional.of(info) : Optional.empty());
          default -> throw new UnsupportedOperationException(method.getName());
        });
    return new ActorContext() {
      @Override public ActorId actorId() { return ActorId.of("actor-1"); }
      @Override public int incarnation() { return 0; }
      @Override public NodeId nodeId() { return NodeId.of("node-a"); }
      @Override public List<String> gpuIds() { return List.of("1"); }
      @Override public Optional<PlacementGroupId> placementGroup() { return Optional.of(PG); }
      @Override public int bundleIndex() { return 0; }
      @Override public Troupe troupe() { return troupe; }
    };
  }
}
