package io.troupe.serve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.e2e.ProcessCluster;
import io.troupe.testkit.FreePorts;
import io.troupe.testkit.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Replica autoscaling end to end, in separate processes: a head without CPUs (its proxy takes the HTTP load, so
 * the callers' queued requests are reported on the head) and a worker hosting the replicas (which reports what
 * they execute through the routes actor on the head). Real HTTP clients drive the load.
 * <ol>
 *   <li>min 1 / max 4 / target 2 under 8 concurrent slow requests grows to 4 replicas, holds 4 (no oscillation)
 *       while the load is steady, and shrinks back to 1 once it stops;</li>
 *   <li>min 0: an idle deployment scales to zero, and a request that then arrives waits at the proxy, starts a
 *       replica (cold start) and is answered.</li>
 * </ol>
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServeAutoscalingE2ETest {
  private final ServeHttp http = new ServeHttp();
  private ProcessCluster pc;
  private String api;
  private String proxy;

  @BeforeAll
  void cluster() throws Exception {
    pc = new ProcessCluster(ServeTestNodeMain.class, List.of("-Dtroupe.serve.proxy-port=0"));
    ProcessCluster.Node head = pc.start("head", "port=" + FreePorts.pick(),
        "dashboard=" + FreePorts.pick(), "cpus=0", "fd=4000");
    pc.start("worker", "address=" + head.address(), "cpus=8", "fd=4000");
    api = head.dashboardUrl() + "/api/serve/applications/";
    assertThat(http.send("PUT", api, config()).statusCode()).isEqualTo(200);
    // "idle" may already be on its way to zero replicas: its test waits for that itself
    JsonNode s = ServeHttp.poll(() -> http.json(api), j -> j.path("proxies").size() == 1
        && replicas(j, "steady") == 1, 90);
    JsonNode p = s.path("proxies").elements().next();
    proxy = "http://" + p.path("host").asText() + ":" + p.path("port").asInt();
  }

  @AfterAll
  void stop() {
    if (pc != null) {
      pc.close();
    }
  }

  private static String config() {
    return """
        proxy_location: HeadOnly
        http_options: {host: 127.0.0.1, port: 0, request_timeout_s: 60}
        applications:
          - name: steady
            route_prefix: /steady
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                ray_actor_options: {num_cpus: 1}
                graceful_shutdown_wait_loop_s: 0.1
                graceful_shutdown_timeout_s: 1
                autoscaling_config:
                  min_replicas: 1
                  max_replicas: 4
                  target_ongoing_requests: 2
                  metrics_interval_s: 0.2
                  look_back_period_s: 1
                  upscale_delay_s: 0.5
                  downscale_delay_s: 2
          - name: idle
            route_prefix: /idle
            import_path: io.troupe.serve.http.Hello
            deployments:
              - name: Hello
                ray_actor_options: {num_cpus: 1}
                graceful_shutdown_wait_loop_s: 0.1
                graceful_shutdown_timeout_s: 1
                max_queued_requests: 4
                autoscaling_config:
                  min_replicas: 0
                  initial_replicas: 1
                  max_replicas: 2
                  metrics_interval_s: 0.2
                  look_back_period_s: 1
                  upscale_delay_s: 30
                  downscale_delay_s: 0.5
                  downscale_to_zero_delay_s: 1
        """;
  }

  /** Replicas RUNNING in the application's only deployment. */
  private static int replicas(JsonNode s, String app) {
    int n = 0;
    for (JsonNode r : s.path("applications").path(app).path("deployments").path("Hello").path("replicas")) {
      if (r.path("state").asText().equals("RUNNING")) {
        n++;
      }
    }
    return n;
  }

  private static int target(JsonNode s, String app) {
    return s.path("applications").path(app).path("deployments").path("Hello").path("target_num_replicas").asInt(-1);
  }

  @Test
  void growsUnderLoadHoldsSteadyAndShrinksWhenItStops() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(Thread.ofVirtual().start(() -> {
        while (!stop.get()) {
          (http.get(proxy + "/steady?name=x&sleep_ms=300").status() == 200 ? ok : failed).incrementAndGet();
        }
      }));
    }
    long t0 = System.nanoTime();
    ServeHttp.poll(() -> http.json(api), s -> replicas(s, "steady") == 4, 90);
    System.out.printf("load step -> 4 replicas serving in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    // steady load: the target never moves for 4 s
    Poll.upTo(Duration.ofSeconds(4)).every(Duration.ofMillis(200))
        .throughout("target under steady load stays 4", () -> target(http.json(api), "steady"), t -> t == 4);
    stop.set(true);
    for (Thread t : clients) {
      t.join();
    }
    assertThat(failed.get()).as("failed requests (of %d)", ok.get()).isZero();
    long t1 = System.nanoTime();
    ServeHttp.poll(() -> http.json(api), s -> target(s, "steady") == 1 && replicas(s, "steady") == 1, 60);
    System.out.printf("load stopped -> back to 1 replica in %.1f s%n", (System.nanoTime() - t1) / 1e9);
  }

  private void awaitZero() {
    ServeHttp.poll(() -> http.json(api), s -> target(s, "idle") == 0 && replicas(s, "idle") == 0
        && s.path("applications").path("idle").path("deployments").path("Hello").path("replicas").isEmpty(), 60);
  }

  @Test
  void scalesToZeroAndAColdRequestIsAnswered() throws Exception {
    awaitZero();
    ServeHttp.Answer a = http.get(proxy + "/idle?name=cold");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("hello cold");
    System.out.printf("first request from zero replicas answered in %.0f ms%n", a.nanos() / 1e6);
    assertThat(target(http.json(api), "idle")).isEqualTo(1);

    // at zero again, a burst: max_queued_requests (4) wait at the proxy and are answered, the rest get 503 at once
    awaitZero();
    List<Thread> burst = new ArrayList<>();
    List<ServeHttp.Answer> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 10; i++) {
      burst.add(Thread.ofVirtual().start(() -> answers.add(http.get(proxy + "/idle?name=burst"))));
    }
    for (Thread t : burst) {
      t.join();
    }
    List<Integer> statuses = answers.stream().map(ServeHttp.Answer::status).toList();
    assertThat(statuses).as(answers.toString()).containsOnly(200, 503).contains(200, 503);
    assertThat(statuses.stream().filter(st -> st == 200).count()).isGreaterThanOrEqualTo(4);
  }
}
