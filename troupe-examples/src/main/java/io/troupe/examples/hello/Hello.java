package io.troupe.examples.hello;

import io.troupe.serve.api.Deployment;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smallest serving application (examples/hello): {@code GET <prefix>?name=x} answers
 * "{greeting} x". The greeting comes from user_config ({@code {greeting: hi}}) and changes in place,
 * without restarting replicas. {@code name=boom} throws (the proxy answers 500 with an error id and
 * the replica keeps serving); {@code sleep_ms=n} simulates n ms of work.
 *
 * <p>Thread-safe: up to max_ongoing_requests calls run at once; the greeting is a volatile field.
 */
@Deployment(numReplicas = 2, maxOngoingRequests = 8)
public class Hello {
  /** The greeting without user_config. */
  public static final String DEFAULT_GREETING = "hello";
  private static final Logger LOG = LoggerFactory.getLogger(Hello.class);
  private volatile String greeting = DEFAULT_GREETING;

  public Hello() {
  }

  /** user_config hook: {@code {greeting: "hi"}}; a missing key means the default greeting. */
  public void reconfigure(Map<String, Object> config) {
    Object g = config == null ? null : config.get("greeting");
    greeting = g == null ? DEFAULT_GREETING : String.valueOf(g);
  }

  /** Health-check hook: a Hello is always healthy. */
  public void checkHealth() {
  }

  /** The HTTP entry: {@code ?name=} (default "world"), {@code ?sleep_ms=}, {@code name=boom} fails. */
  public ServeResponse handle(ServeRequest request) throws InterruptedException {
    long sleepMs;
    try {
      sleepMs = Long.parseLong(request.queryParam("sleep_ms").orElse("0"));
    } catch (NumberFormatException e) {
      return ServeResponse.text(400, "sleep_ms must be a whole number of milliseconds");
    }
    if (sleepMs > 0) {
      Thread.sleep(Math.min(sleepMs, 60_000)); // simulated work, so one can fill the replicas
    }
    String name = request.queryParam("name").orElse("world");
    LOG.info("greeting {}", name); // in this replica's log file, with the request id (troupe logs replica ...)
    if (name.equals("boom")) {
      throw new IllegalStateException("boom requested");
    }
    return ServeResponse.ok(greeting + " " + name);
  }
}
