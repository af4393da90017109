package io.troupe.serve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.e2e.ProcessCluster;
import io.troupe.runtime.rest.Json;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Serving survives real failures of separate node processes (a head and two workers, a third joining
 * later, each node with its own HTTP proxy under {@code proxy_location: EveryNode}):
 * <ol>
 *   <li>a worker hosting replicas is SIGKILLed while clients send requests through the other
 *       worker's proxy: at most the requests in flight on it fail, its replicas are replaced, then
 *       every request succeeds;</li>
 *   <li>the head is SIGKILLed: the worker's proxy keeps answering from its cached routes; the head
 *       restarted with the same {@code --state-dir} restores the controller's checkpoint and
 *       re-adopts the very same replica actors (same ids, not restarted), status RUNNING again, and
 *       removes a serve placement group that no checkpoint knows.</li>
 * </ol>
 */
@Tag("e2e")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServeHighAvailabilityE2ETest {
  private static final int CLIENTS = 4;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** One client request: when it started and ended (nanos), its status (-1: no answer) and who served it. */
  record Call(long start, long end, int status, String replica) {
  }

  private static String config(int port) {
    return config(port, "hello");
  }

  private static String config(int port, String greeting) {
    return """
        proxy_location: EveryNode
        http_options:
          host: 127.0.0.1
          port: %d
          request_timeout_s: 60
        applications:
          - name: hello
            route_prefix: /hello
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                num_replicas: 2
                user_config: {greeting: %s}
                ray_actor_options: {num_cpus: 1}
                graceful_shutdown_wait_loop_s: 0.1
                graceful_shutdown_timeout_s: 1
        """.formatted(port, greeting);
  }

  @Test
  void servingSurvivesWorkerAndHeadLoss() throws Exception {
    long t0 = System.nanoTime();
    Path state = Files.createTempDirectory("troupe-serve-state");
    try (ProcessCluster pc = new ProcessCluster(ServeTestNodeMain.class, List.of("-Dtroupe.serve.proxy-port=0"))) {
      int port = FreePorts.pick();
      int dashboard = FreePorts.pick();
      String[] headArgs = {"head", "port=" + port, "dashboard=" + dashboard, "cpus=0", "fd=4000", "state=" + state};
      ProcessCluster.Node head = pc.start(headArgs);
      List<ProcessCluster.Node> workers = new ArrayList<>();
      var starting = List.of(pc.startAsync("worker", "address=" + head.address(), "cpus=2", "fd=4000"),
          pc.startAsync("worker", "address=" + head.address(), "cpus=2", "fd=4000"));
      for (var f : starting) {
        workers.add(f.get(90, TimeUnit.SECONDS));
      }
      String api = head.dashboardUrl() + "/api/serve/applications/";
      System.out.printf("cluster up in %.1f s; logs in %s%n", secondsSince(t0), pc.logDir());

      int httpPort = FreePorts.pick();
      assertThat(send("PUT", api, config(httpPort)).statusCode()).isEqualTo(200);
      JsonNode status = poll(() -> json(api), s -> running(s, 2) && s.path("proxies").size() == 3, 60);
      assertThat(status.path("proxy_location").asText()).isEqualTo("EveryNode");
      Map<String, String> proxies = proxies(status);
      Map<String, String> replicaNodes = replicaNodes(status);
      // The victim is a worker that hosts a replica; traffic goes through another worker's proxy.
      ProcessCluster.Node victim = workers.stream().filter(w -> replicaNodes.containsValue(w.nodeId()))
          .findFirst().orElseThrow();
      ProcessCluster.Node survivor = workers.stream().filter(w -> w != victim).findFirst().orElseThrow();
      String url = proxies.get(survivor.nodeId()) + "/hello?name=x&sleep_ms=20";
      // every node's proxy serves the app (a worker's proxy answers 503 + Retry-After until its first routes
      // refresh, up to a second after it registered)
      for (String proxy : proxies.values()) {
        poll(() -> call(proxy + "/hello?name=p"), c -> c.status() == 200, 30);
      }
      assertThat(send("GET", url, null).body()).isEqualTo("hello x");
      System.out.printf("deployed, 3 proxies answering at %.1f s%n", secondsSince(t0));

      // (a) SIGKILL a worker that hosts replicas while clients keep sending requests.
      ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(Thread.ofVirtual().start(() -> {
          while (!stop.get()) {
            calls.add(call(url));
          }
        }));
      }
      poll(() -> calls.size(), n -> n >= 20, 30);
      long killedAt = System.nanoTime();
      pc.kill(victim);
      // A third worker joins while the loss is detected: when the head dies later, two workers must
      // remain (of two members, the split-brain resolver makes the lone worker down itself too).
      var third = pc.startAsync("worker", "address=" + head.address(), "cpus=2", "fd=4000");
      JsonNode healed = poll(() -> json(api), s -> running(s, 2)
          && !replicaNodes(s).containsValue(victim.nodeId()), 60);
      long healedAt = System.nanoTime();
      System.out.printf("worker SIGKILLed; replicas replaced after %.1f s%n", (healedAt - killedAt) / 1e9);
      int before = calls.size();
      poll(() -> calls.size(), n -> n >= before + 40, 30);
      stop.set(true);
      for (Thread c : clients) {
        c.join(Duration.ofSeconds(70));
      }
      List<Call> failed = calls.stream().filter(c -> c.status() != 200).toList();
      System.out.printf("%d requests during the worker loss, %d failed: %s%n", calls.size(), failed.size(), failed);
      // Only requests in flight on the dead node may fail: one per client at most, all started
      // before the replacement was running.
      assertThat(failed.size()).isLessThanOrEqualTo(CLIENTS);
      assertThat(failed).allMatch(c -> c.start() < healedAt);
      List<Call> after = calls.stream().filter(c -> c.start() > healedAt).toList();
      assertThat(after).hasSizeGreaterThanOrEqualTo(40).allMatch(c -> c.status() == 200);
      assertThat(calls.stream().filter(c -> c.start() > killedAt && c.status() == 200)).isNotEmpty();

      // (b) SIGKILL the head: the survivor's proxy keeps answering with the replicas it knows.
      ProcessCluster.Node w3 = third.get(90, TimeUnit.SECONDS);
      healed = poll(() -> json(api), s -> running(s, 2) && proxies(s).containsKey(w3.nodeId()), 30);
      Map<String, String> adoptedReplicas = replicaNodes(healed);
      // A leak no checkpoint knows: a serve-named group left behind, e.g. by a replica start that
      // was cut short. The restarted controller must remove it.
      HttpResponse<String> leak = send("POST", head.dashboardUrl() + "/api/placement_groups",
          "{\"bundles\": [{\"CPU\": 0.1}], \"name\": \"serve-replica:hello#Hello#1eaked00\", "
              + "\"lifetime\": \"detached\", \"wait_s\": 30}");
      assertThat(leak.statusCode()).as(leak.body()).isEqualTo(200);
      String leakedGroup = Json.MAPPER.readTree(leak.body()).path("placement_group_id").asText();
      Map<String, String> actorIds = replicaActorIds(json(head.dashboardUrl() + "/api/actors"));
      assertThat(actorIds.keySet()).containsAll(adoptedReplicas.keySet());
      pc.kill(head);
      long headKilledAt = System.nanoTime();
      Set<String> servedBy = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        Call c = call(url);
        if (c.end() - c.start() > 1_000_000_000L) {
          System.out.printf("head down: request %d took %d ms%n", i, (c.end() - c.start()) / 1_000_000);
        }
        assertThat(c.status()).as("request %d through the worker's proxy with the head down", i).isEqualTo(200);
        servedBy.add(c.replica());
      }
      assertThat(adoptedReplicas.keySet()).containsAll(servedBy);
      System.out.printf("20/20 requests answered by the worker's proxy in %.1f s with the head down%n",
          secondsSince(headKilledAt));

      long restartAt = System.nanoTime();
      ProcessCluster.Node head2 = pc.start(headArgs);
      String api2 = head2.dashboardUrl() + "/api/serve/applications/";
      JsonNode restored = poll(() -> json(api2), s -> s.path("controller_status").asText().equals("RUNNING")
          && running(s, 2), 90);
      System.out.printf("head restarted; controller restored, app RUNNING after %.1f s%n", secondsSince(restartAt));
      poll(() -> groupState(head2.dashboardUrl() + "/api/placement_groups/" + leakedGroup),
          st -> st.equals("404") || st.equals("REMOVED"), 30);
      assertThat(replicaNodes(restored)).isEqualTo(adoptedReplicas); // same replicas on the same node
      // Same actors, not restarted (a replica never restarts: it would get a new id).
      Map<String, String> actorIdsAfter = replicaActorIds(json(head2.dashboardUrl() + "/api/actors"));
      for (String r : adoptedReplicas.keySet()) {
        assertThat(actorIdsAfter.get(r)).as("actor of %s", r).isEqualTo(actorIds.get(r));
      }
      // No replica left behind or created twice: the only replica actors alive are the adopted ones.
      assertThat(actorIdsAfter.keySet()).containsExactlyInAnyOrderElementsOf(adoptedReplicas.keySet());
      // Serving through the worker's proxy and the restarted head's proxy (restored settings).
      Map<String, String> proxies2 = proxies(poll(() -> json(api2), s -> s.path("proxies").size() == 3, 30));
      for (String proxy : proxies2.values()) {
        Call c = call(proxy + "/hello?name=y");
        assertThat(c.status()).isEqualTo(200);
        assertThat(adoptedReplicas).containsKey(c.replica());
      }
      // The restored controller is in charge: a user_config change reaches the adopted replicas in
      // place (the restored target has the same version: no rollover) and the worker's proxy, which
      // now reads the routes actor the new head created.
      assertThat(send("PUT", api2, config(httpPort, "hi")).statusCode()).isEqualTo(200);
      String workerProxy = proxies2.get(survivor.nodeId());
      poll(() -> send2(workerProxy + "/hello?name=y"), "hi y"::equals, 30);
      JsonNode updated = poll(() -> json(api2), s -> running(s, 2), 30);
      assertThat(replicaNodes(updated)).isEqualTo(adoptedReplicas);
      System.out.printf("total %.1f s%n", secondsSince(t0));
    }
  }

  // ------------------------------------------------------------------ helpers

  private static boolean running(JsonNode s, int replicas) {
    JsonNode app = s.path("applications").path("hello");
    if (!app.path("status").asText().equals("RUNNING")) {
      return false;
    }
    JsonNode rs = app.path("deployments").path("Hello").path("replicas");
    int n = 0;
    for (JsonNode r : rs) {
      if (!r.path("state").asText().equals("RUNNING")) {
        return false;
      }
      n++;
    }
    return n == replicas;
  }

  /** Replica id → node id. */
  private static Map<String, String> replicaNodes(JsonNode s) {
    Map<String, String> out = new HashMap<>();
    s.path("applications").path("hello").path("deployments").path("Hello").path("replicas")
        .forEach(r -> out.put(r.path("replica_id").asText(), r.path("node_id").asText()));
    return out;
  }

  /** Node id → base URL of its proxy. */
  private static Map<String, String> proxies(JsonNode s) {
    Map<String, String> out = new HashMap<>();
    s.path("proxies").forEach(p -> out.put(p.path("node_id").asText(),
        "http://" + p.path("host").asText() + ":" + p.path("port").asInt()));
    return out;
  }

  /** Replica name → actor id, for the replica actors the runtime reports ALIVE. */
  private static Map<String, String> replicaActorIds(JsonNode actors) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode a : actors) {
      if (a.path("class_name").asText().endsWith("ReplicaActor") && a.path("state").asText().equals("ALIVE")) {
        out.put(a.path("name").asText(), a.path("actor_id").asText());
      }
    }
    return out;
  }

  private Call call(String url) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90)).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      return new Call(start, System.nanoTime(), r.statusCode(), r.headers().firstValue("x-troupe-replica").orElse(""));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new Call(start, System.nanoTime(), -1, e.toString());
    }
  }

  /** A group's state, "404" when the head does not know it, or the error. */
  private String groupState(String url) {
    try {
      HttpResponse<String> r = send("GET", url, null);
      return r.statusCode() == 404 ? "404" : Json.MAPPER.readTree(r.body()).path("state").asText();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private String send2(String url) {
    try {
      return send("GET", url, null).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", body.startsWith("{") ? "application/json" : "application/yaml");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(String url) {
    try {
      HttpResponse<String> r = send("GET", url, null);
      return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : Json.MAPPER.createObjectNode();
    } catch (Exception e) {
      return Json.MAPPER.createObjectNode(); // head restarting: poll again
    }
  }

  private static <T> T poll(Supplier<T> get, Predicate<T> ok, int seconds) {
    return Poll.upTo(Duration.ofSeconds(seconds)).every(Duration.ofMillis(100)).await("condition", get, ok);
  }

  private static double secondsSince(long t) {
    return (System.nanoTime() - t) / 1e9;
  }
}
