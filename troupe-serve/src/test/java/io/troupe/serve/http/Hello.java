package io.troupe.serve.http;

import io.troupe.serve.api.Deployment;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.util.Map;

/**
 * The example of examples/hello: answers {@code GET <prefix>?name=x} with "hello x" (the greeting
 * comes from user_config and changes in place), throws for {@code name=boom}; {@code sleep_ms=n} simulates n ms of work.
 */
@Deployment(numReplicas = 2, maxOngoingRequests = 8)
public class Hello {
  private volatile String greeting = "hello";

  public Hello() {
  }

  /** user_config hook: {@code {greeting: "hi"}}. */
  public void reconfigure(Map<String, Object> config) {
    greeting = String.valueOf(config.getOrDefault("greeting", "hello"));
  }

  public void checkHealth() {
  }

  public ServeResponse handle(ServeRequest request) throws InterruptedException {
    long sleep = Long.parseLong(request.queryParam("sleep_ms").orElse("0"));
    if (sleep > 0) {
      Thread.sleep(sleep); // simulated work, so tests can fill replicas
    }
    String name = request.queryParam("name").orElse("world");
    if (name.equals("boom")) {
      throw new IllegalStateException("boom requested");
    }
    return ServeResponse.ok(greeting + " " + name);
  }
}
