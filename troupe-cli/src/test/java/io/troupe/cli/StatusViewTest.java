package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StatusViewTest {
  static final String STATUS = """
      {"nodes": [
        {"node_id": "head-1", "address": "127.0.0.1:6380", "state": "ALIVE", "is_head": true, "labels": {},
         "metrics_url": "http://127.0.0.1:8265/metrics",
         "resources_total": {"CPU": 2.0, "memory": 4294967296.0},
         "resources_available": {"CPU": 2.0, "memory": 4294967296.0}},
        {"node_id": "worker-1", "address": "127.0.0.1:41000", "state": "ALIVE", "is_head": false,
         "labels": {"zone": "a"},
         "metrics_url": null,
         "resources_total": {"CPU": 2.0, "GPU": 2.0, "disk_gb": 100.0, "memory": 1.0E9},
         "resources_available": {"CPU": 0.5, "GPU": 1.0, "disk_gb": 100.0, "memory": 1.0E9}},
        {"node_id": "worker-2", "address": "127.0.0.1:41001", "state": "DEAD", "is_head": false, "labels": {},
         "resources_total": {"CPU": 2.0}, "resources_available": {"CPU": 2.0},
         "death_reason": "unreachable for 10 s", "metrics_url": null}],
       "pending_demands": [{"resources": {"CPU": 1.0, "GPU": 1.0}, "count": 3, "reason": "waiting for resources", "kind": "actor"}],
       "infeasible_demands": []}
      """;

  @Test
  void rendersNodesUsedOverTotalAndDemands() throws Exception {
    JsonNode json = new ObjectMapper().readTree(STATUS);

    String text = StatusView.render(json);

    assertThat(text).startsWith("Cluster: 2 nodes alive, 1 dead | used: CPU 1.5/4, GPU 1/2, disk_gb 0/100,");
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(
        "NODE_ID +ADDRESS +STATE +HEAD +CPU +GPU +MEMORY +OTHER +LABELS"));
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(
        "head-1 +127\\.0\\.0\\.1:6380 +ALIVE +yes +0/2 +- +0 B/4 GiB"));
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(
        "worker-1 +127\\.0\\.0\\.1:41000 +ALIVE +1\\.5/2 +1/2 +0 B/953\\.7 MiB +disk_gb 0/100 +zone=a"));
    assertThat(text).contains("Dead nodes:\n  worker-2: unreachable for 10 s\n");
    assertThat(text).contains("\nMetrics (Prometheus; all of them: GET /api/prometheus/sd):\n"
        + "  head-1: http://127.0.0.1:8265/metrics\n"
        + "  worker-1: none (start the node with --metrics-port to serve them)\n\n");
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(
        "actor +3 +\\{CPU: 1, GPU: 1} +waiting for resources"));
    assertThat(text).endsWith("Infeasible demands: none\n");
  }

  @Test
  void toleratesAnEmptyOrPartialAnswer() throws Exception {
    assertThat(StatusView.render(new ObjectMapper().readTree("{}")))
        .contains("Cluster: 0 nodes alive").contains("(no nodes)").contains("Pending demands: none");
    assertThat(StatusView.render(new ObjectMapper().readTree("{\"nodes\": [{\"node_id\": \"x\"}]}")))
        .containsPattern("\nx +- +- ");
  }

  @Test
  void rendersActors() throws Exception {
    JsonNode actors = new ObjectMapper().readTree("""
        [{"actor_id": "a1", "class_name": "com.example.Counter", "name": "counter", "state": "ALIVE",
          "node_id": "worker-1", "num_restarts": 0, "death_cause": null},
         {"actor_id": "a2", "class_name": "com.example.Model", "name": null, "state": "DEAD",
          "node_id": "worker-2", "num_restarts": 3, "death_cause": "node worker-2 died"}]
        """);

    String text = ActorsView.renderList(actors);

    assertThat(text.lines().toList()).hasSize(3);
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches("a1 +com\\.example\\.Counter +counter +ALIVE +worker-1 +0"));
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(
        "a2 +com\\.example\\.Model +- +DEAD +worker-2 +3 +node worker-2 died"));
    assertThat(ActorsView.renderList(new ObjectMapper().readTree("[]"))).isEqualTo("(no actors)\n");
  }

  @Test
  void placementGroupsShowOneRowPerBundleWithNodeAndGpuIds() throws Exception {
    JsonNode groups = new ObjectMapper().readTree("""
        [{"placement_group_id": "pg-1", "name": "serve-replica:llm#LlmServer-demo#5", "state": "CREATED",
          "strategy": "STRICT_SPREAD", "epoch": 1,
          "last_gang_restart": {"epoch": 1, "at": "2026-11-26T16:00:00Z", "cause": "node n died (lost bundle [1])"},
          "bundles": [
            {"index": 0, "node_id": "node-a", "resources": {"CPU": 2.0, "GPU": 1.0}, "gpu_ids": ["0"]},
            {"index": 1, "node_id": "node-b", "resources": {"CPU": 1.0, "GPU": 1.0}, "gpu_ids": ["1"]}]},
         {"placement_group_id": "pg-2", "name": null, "state": "PENDING", "strategy": "PACK", "epoch": 0,
          "bundles": [{"index": 0, "node_id": null, "resources": {"CPU": 1.0}, "gpu_ids": []}]}]
        """);

    String text = PlacementGroupsView.renderBundles(groups);

    assertThat(text.lines().toList()).hasSize(7);
    assertThat(text).endsWith("Last gang restarts:\n  pg-1: to epoch 1 at 2026-11-26T16:00:00Z after: node n died "
        + "(lost bundle [1])\n");
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(
        "pg-1 +serve-replica:llm#LlmServer-demo#5 +CREATED +STRICT_SPREAD +1 +0 +node-a +0 +CPU 2, GPU 1"));
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches(" +1 +node-b +1 +CPU 1, GPU 1"));
    assertThat(text.lines()).anySatisfy(l -> assertThat(l).matches("pg-2 +- +PENDING +PACK +0 +0 +- +- +CPU 1"));
    assertThat(PlacementGroupsView.renderBundles(new ObjectMapper().readTree("[]"))).isEqualTo("Placement groups: none\n");
  }
}
