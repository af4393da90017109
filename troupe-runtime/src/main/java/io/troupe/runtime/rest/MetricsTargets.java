package io.troupe.runtime.rest;

import io.troupe.runtime.api.ClusterStatus;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.Troupe;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where each node's Prometheus {@code /metrics} is, cluster-wide. A node with a metrics endpoint (its own
 * metrics server, {@code NodeConfig.metricsPort}, or the head's REST API) writes its URL under
 * {@code metrics/nodes/<nodeId>} in the control service's key-value store when it starts and deletes it when it
 * closes ({@link #advertise}, {@link #withdraw}). The head's REST API joins those entries with the node list:
 * {@code GET /api/cluster/status} gives every node its {@code metrics_url}, and {@code GET /api/prometheus/sd}
 * lists the ALIVE nodes' endpoints as Prometheus HTTP service discovery ({@code http_sd_configs}). A node killed
 * without closing leaves its entry behind; it is ignored because the node is no longer ALIVE (node ids are not
 * reused: a restarted node has a new one).
 */
public final class MetricsTargets implements Consumer<io.helidon.webserver.http.HttpRouting.Builder> {
  /** Key prefix of the advertised URLs in the runtime's key-value store. */
  public static final String KEY_PREFIX = "metrics/nodes/";
  public static final String SD_PATH = "/api/prometheus/sd";

  private final Troupe troupe;

  public MetricsTargets(Troupe troupe) {
    this.troupe = troupe;
  }

  public static String key(NodeId node) {
    return KEY_PREFIX + node.value();
  }

  /** Writes {@code url} as {@code node}'s metrics URL. */
  public static CompletableFuture<Void> advertise(Troupe troupe, NodeId node, String url) {
    return troupe.kvPut(key(node), url.getBytes(StandardCharsets.UTF_8));
  }

  /** Removes {@code node}'s entry. */
  public static CompletableFuture<Void> withdraw(Troupe troupe, NodeId node) {
    return troupe.kvDelete(key(node));
  }

  /** The cluster status with each ALIVE node's advertised metrics URL (null where it has none, and for DEAD nodes). */
  public static CompletableFuture<ClusterStatus> status(Troupe troupe) {
    return troupe.status().thenCompose(status -> {
      List<CompletableFuture<NodeInfo>> nodes = new ArrayList<>();
      for (NodeInfo n : status.nodes()) {
        nodes.add(NodeInfo.ALIVE.equals(n.state())
            ? troupe.kvGet(key(n.nodeId())).thenApply(v -> n.withMetricsUrl(decode(v)))
            : CompletableFuture.completedFuture(n));
      }
      return CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new)).thenApply(done -> new ClusterStatus(
          nodes.stream().map(CompletableFuture::join).toList(), status.pendingDemands(), status.infeasibleDemands()));
    });
  }

  /**
   * One Prometheus HTTP service-discovery target group per ALIVE node with a metrics URL: {@code targets} the
   * URL's {@code host:port}, labels {@code node_id}, {@code is_head}, {@code __metrics_path__} and
   * {@code __scheme__} (from the URL).
   */
  public static List<Map<String, Object>> targetGroups(ClusterStatus status) {
    List<Map<String, Object>> groups = new ArrayList<>();
    for (NodeInfo n : status.nodes()) {
      if (!NodeInfo.ALIVE.equals(n.state()) || n.metricsUrl() == null) {
        continue;
      }
      URI url;
      try {
        url = URI.create(n.metricsUrl());
      } catch (IllegalArgumentException e) {
        continue; // not written by a Troupe node; nothing Prometheus could scrape
      }
      if (url.getHost() == null || url.getPort() < 0) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("node_id", n.nodeId().value());
      labels.put("is_head", String.valueOf(n.isHead()));
      labels.put("__metrics_path__", url.getRawPath() == null || url.getRawPath().isEmpty() ? "/metrics" : url.getRawPath());
      labels.put("__scheme__", url.getScheme());
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("targets", List.of(url.getHost() + ":" + url.getPort()));
      group.put("labels", labels);
      groups.add(group);
    }
    return groups;
  }

  @Override
  public void accept(io.helidon.webserver.http.HttpRouting.Builder r) {
    r.get(SD_PATH, (req, res) -> Json.ok(res, targetGroups(StateApi.await(status(troupe)))));
  }

  private static String decode(Optional<byte[]> v) {
    return v.map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
  }
}
