package io.troupe.serve.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.rest.Json;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.config.ServeConfig;
import io.troupe.serve.config.ServeConfigException;
import io.troupe.serve.config.ServeConfigParser;
import io.troupe.serve.controller.ServeStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Ray Serve's REST API on the head: {@code PUT /api/serve/applications/} (a whole config, YAML or
 * JSON, applied declaratively: applications not listed are deleted), {@code GET} (status:
 * applications → deployments → replicas, in Ray's snake_case shape, plus {@code proxies}: every
 * running proxy by node id with its host and port, and {@code controller_status}: RESTORING while a
 * restarted head restores the controller's checkpoint) and {@code DELETE} (every
 * application). Stateless; the {@link ServeSystem} holds the state.
 */
public final class ServeRestApi implements Consumer<HttpRouting.Builder> {
  static final String PATH = "/api/serve/applications/";
  private final ServeSystem serve;

  public ServeRestApi(ServeSystem serve) {
    this.serve = serve;
  }

  @Override
  public void accept(HttpRouting.Builder r) {
    for (String p : List.of(PATH, "/api/serve/applications")) {
      r.get(p, (req, res) -> Json.ok(res, status()));
      r.put(p, (req, res) -> {
        String body = req.content().hasEntity() ? new String(req.content().as(byte[].class), StandardCharsets.UTF_8) : "";
        ServeConfig config;
        try {
          config = ServeConfigParser.parse(body);
        } catch (ServeConfigException e) {
          Json.error(res, Status.BAD_REQUEST_400, "invalid serve config: " + e.getMessage());
          return;
        }
        try {
          serve.apply(config);
        } catch (ServeException e) {
          Json.error(res, Status.BAD_REQUEST_400, e.getMessage());
          return;
        }
        Json.ok(res, Map.of());
      });
      r.delete(p, (req, res) -> {
        serve.deleteAll();
        Json.ok(res, Map.of());
      });
    }
  }

  /** The GET answer: Ray's {@code ServeInstanceDetails}, the parts this controller knows. */
  Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("controller_status", serve.controller().restored() ? "RUNNING" : "RESTORING");
    out.put("proxy_location", serve.settings().map(c -> c.location().name()).orElse(null));
    out.put("http_options", serve.proxy().map(p -> Map.<String, Object>of("host", p.options().host(),
        "port", p.port())).orElse(null));
    Map<String, Object> proxies = new LinkedHashMap<>();
    for (ProxySettings.NodeProxy p : serve.proxies()) {
      proxies.put(p.nodeId(), Map.of("node_id", p.nodeId(), "host", p.host(), "port", p.port(), "status", "HEALTHY"));
    }
    out.put("proxies", proxies);
    Map<String, Object> apps = new LinkedHashMap<>();
    serve.controller().snapshot().status().applications().forEach((name, a) -> apps.put(name, app(a)));
    out.put("applications", apps);
    return out;
  }

  private static Map<String, Object> app(ServeStatus.Application a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", a.name());
    m.put("route_prefix", a.routePrefix().orElse(null));
    m.put("status", a.status().name());
    m.put("message", a.message());
    m.put("last_deployed_time_s", seconds(a.lastDeployedAt()));
    m.put("ingress_deployment", a.ingress());
    Map<String, Object> deployments = new LinkedHashMap<>();
    a.deployments().forEach((n, d) -> {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("name", d.name());
      dm.put("status", d.status().name());
      dm.put("status_trigger", d.statusTrigger().name());
      dm.put("message", d.message());
      dm.put("target_num_replicas", d.targetNumReplicas());
      dm.put("replicas", d.replicas().stream().map(r -> {
        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("replica_id", r.replicaId());
        rm.put("actor_name", r.replicaId());
        rm.put("actor_id", r.actorId().orElse(null));
        rm.put("state", r.state().name());
        rm.put("node_id", r.nodeId().orElse(null));
        rm.put("placement_group_id", r.placementGroupId().orElse(null));
        rm.put("start_time_s", seconds(r.startTime()));
        rm.put("version", r.version());
        return rm;
      }).toList());
      deployments.put(n, dm);
    });
    m.put("deployments", deployments);
    return m;
  }

  private static Double seconds(Instant t) {
    return t == null ? null : t.toEpochMilli() / 1000.0;
  }
}
